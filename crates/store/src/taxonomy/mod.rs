//! The classification data in the database: loading an export (replacing the
//! previous one as a whole, in one transaction) and the searches behind the
//! autocomplete fields. Open data, so reading it is neither checked nor audited.

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use vagar_domain::taxonomy::{self, search_key, Taxonomy};

use crate::kernel::bulk::insert_rows;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Result, Store};

/// Hits looked through when resolving typed text to one concept.
const MAX_EXACT: usize = 200;
/// The most occupations a choice page offers.
pub const MAX_CHOICES: usize = 12;

/// Where the stored taxonomy came from.
pub const SHIPPED: &str = "shipped";

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct TaxonomyInfo {
    pub version: String,
    /// `shipped` or the directory a newer export was loaded from.
    pub source: String,
    pub loaded_at: DateTime<Utc>,
    pub occupation_groups: i64,
    pub occupation_names: i64,
    pub skills: i64,
}

/// An occupation search hit: an occupation name or an SSYK level-4 group.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct OccupationHit {
    /// `occupation_name` or `ssyk_group`
    pub kind: String,
    pub concept_id: String,
    pub label: String,
    /// SSYK 2012 level-4 code.
    pub ssyk_code: String,
    pub ssyk_label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ConceptHit {
    pub concept_id: String,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct CodeHit {
    pub code: String,
    pub label: String,
    pub level: i64,
    pub parent: Option<String>,
}

/// What loading did.
#[derive(Debug, Clone, PartialEq)]
pub enum LoadOutcome {
    Loaded { version: String, rows: u64 },
    AlreadyLoaded { version: String },
}

fn text(s: &str) -> Arg {
    Arg::Text(s.to_string())
}

impl Store {
    pub async fn taxonomy_info(&self) -> Result<Option<TaxonomyInfo>> {
        let Some(row) = sqlx::query(
            "SELECT version, source, loaded_at, \
               (SELECT COUNT(*) FROM occupation_groups) AS groups, \
               (SELECT COUNT(*) FROM occupation_names) AS names, \
               (SELECT COUNT(*) FROM skills) AS skills \
             FROM taxonomy_meta WHERE id = 1",
        )
        .fetch_optional(&self.pool)
        .await?
        else {
            return Ok(None);
        };
        Ok(Some(TaxonomyInfo {
            version: get(&row, "version")?,
            source: get(&row, "source")?,
            loaded_at: from_micros(get(&row, "loaded_at")?),
            occupation_groups: get(&row, "groups")?,
            occupation_names: get(&row, "names")?,
            skills: get(&row, "skills")?,
        }))
    }

    /// Load the shipped taxonomy unless one is stored: a database keeps an
    /// export an administrator loaded, but a stored *shipped* one is updated
    /// when this build ships a different one.
    pub async fn ensure_taxonomy(&self, now: DateTime<Utc>) -> Result<LoadOutcome> {
        match self.taxonomy_info().await? {
            Some(info) if info.source != SHIPPED || info.version == taxonomy::shipped_version() => {
                Ok(LoadOutcome::AlreadyLoaded {
                    version: info.version,
                })
            }
            _ => {
                let shipped =
                    taxonomy::shipped().map_err(|e| crate::StoreError::Other(e.to_string()))?;
                self.load_taxonomy(&shipped, SHIPPED, now).await
            }
        }
    }

    /// Replace the stored taxonomy with `t` in one transaction (readers see
    /// the old or the new, never a mix). Loading the same version again is a no-op.
    pub async fn load_taxonomy(
        &self,
        t: &Taxonomy,
        source: &str,
        now: DateTime<Utc>,
    ) -> Result<LoadOutcome> {
        if let Some(info) = self.taxonomy_info().await? {
            if info.version == t.version {
                return Ok(LoadOutcome::AlreadyLoaded {
                    version: info.version,
                });
            }
        }
        let mut tx = self.pool.begin().await?;
        for table in [
            "occupation_groups",
            "occupation_names",
            "skills",
            "occupation_group_skills",
            "occupation_substitutes",
            "languages",
            "classification_codes",
            "taxonomy_meta",
        ] {
            sqlx::query(&format!("DELETE FROM {table}"))
                .execute(&mut *tx)
                .await?;
        }
        let mut rows = 0;
        rows += insert_rows(
            &mut tx,
            "occupation_groups",
            &[
                "code",
                "level",
                "concept_id",
                "label",
                "folded",
                "definition",
            ],
            t.groups
                .iter()
                .map(|g| {
                    vec![
                        text(&g.code),
                        Arg::I64(g.level.into()),
                        text(&g.concept_id),
                        text(&g.label),
                        Arg::Text(search_key(&g.label)),
                        text(&g.definition),
                    ]
                })
                .collect(),
        )
        .await?;
        rows += insert_rows(
            &mut tx,
            "occupation_names",
            &["concept_id", "label", "folded", "ssyk_code"],
            t.names
                .iter()
                .map(|n| {
                    vec![
                        text(&n.concept_id),
                        text(&n.label),
                        Arg::Text(search_key(&n.label)),
                        text(&n.ssyk_code),
                    ]
                })
                .collect(),
        )
        .await?;
        rows += insert_rows(
            &mut tx,
            "skills",
            &["concept_id", "label", "folded"],
            t.skills
                .iter()
                .map(|s| {
                    vec![
                        text(&s.concept_id),
                        text(&s.label),
                        Arg::Text(search_key(&s.label)),
                    ]
                })
                .collect(),
        )
        .await?;
        rows += insert_rows(
            &mut tx,
            "occupation_group_skills",
            &["ssyk_code", "skill_id"],
            t.group_skills
                .iter()
                .map(|(c, s)| vec![text(c), text(s)])
                .collect(),
        )
        .await?;
        rows += insert_rows(
            &mut tx,
            "occupation_substitutes",
            &["experience_id", "target_id", "percentage"],
            t.substitutions
                .iter()
                .map(|s| {
                    vec![
                        text(&s.experience),
                        text(&s.target),
                        Arg::I64(s.percentage.into()),
                    ]
                })
                .collect(),
        )
        .await?;
        rows += insert_rows(
            &mut tx,
            "languages",
            &[
                "concept_id",
                "label",
                "folded",
                "iso_639_1",
                "iso_639_2",
                "iso_639_3",
            ],
            t.languages
                .iter()
                .map(|l| {
                    vec![
                        text(&l.concept_id),
                        text(&l.label),
                        Arg::Text(search_key(&l.label)),
                        Arg::OptText(l.iso_639_1.clone()),
                        Arg::OptText(l.iso_639_2.clone()),
                        Arg::OptText(l.iso_639_3.clone()),
                    ]
                })
                .collect(),
        )
        .await?;
        let codes = [
            ("sun_level", &t.sun_levels),
            ("sun_field", &t.sun_fields),
            ("sni", &t.sni),
            ("county", &t.counties),
            ("municipality", &t.municipalities),
        ];
        rows += insert_rows(
            &mut tx,
            "classification_codes",
            &["classification", "code", "level", "parent", "label"],
            codes
                .iter()
                .flat_map(|(class, list)| {
                    list.iter().map(move |c| {
                        vec![
                            text(class),
                            text(&c.code),
                            Arg::I64(c.level.into()),
                            Arg::OptText(c.parent.clone()),
                            text(&c.label),
                        ]
                    })
                })
                .collect(),
        )
        .await?;
        Sql::new("INSERT INTO taxonomy_meta (id, version, source, loaded_at) VALUES (1, ")
            .bind(text(&t.version))
            .push(", ")
            .bind(text(source))
            .push(", ")
            .bind(Arg::I64(micros(now)))
            .push(")")
            .query()
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(LoadOutcome::Loaded {
            version: t.version.clone(),
            rows,
        })
    }

    /// Occupation names and SSYK level-4 groups whose label, or a later word
    /// of it, starts with `q` (accents, å/ä/ö and case ignored); digits search
    /// SSYK codes. Best first: label prefix, then shorter, then Swedish order.
    pub async fn search_occupations(&self, q: &str, limit: usize) -> Result<Vec<OccupationHit>> {
        let key = search_key(q);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let by_code = key.bytes().all(|b| b.is_ascii_digit());
        let mut sql = Sql::new(
            "SELECT 'occupation_name' AS kind, n.concept_id, n.label, n.ssyk_code, g.label AS ssyk_label \
             FROM occupation_names n JOIN occupation_groups g ON g.code = n.ssyk_code WHERE ",
        );
        word_prefix(&mut sql, "n.folded", &key, by_code.then_some("n.ssyk_code"));
        sql.push(
            " UNION ALL SELECT 'ssyk_group' AS kind, g.concept_id, g.label, g.code AS ssyk_code, g.label AS ssyk_label \
             FROM occupation_groups g WHERE g.level = 4 AND (",
        );
        word_prefix(&mut sql, "g.folded", &key, by_code.then_some("g.code"));
        sql.push(")");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut hits = rows
            .iter()
            .map(|r| {
                Ok(OccupationHit {
                    kind: get(r, "kind")?,
                    concept_id: get(r, "concept_id")?,
                    label: get(r, "label")?,
                    ssyk_code: get(r, "ssyk_code")?,
                    ssyk_label: get(r, "ssyk_label")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        hits.sort_by_cached_key(|h| (taxonomy::rank(&key, &h.label), h.kind.clone()));
        hits.truncate(limit);
        Ok(hits)
    }

    pub async fn search_skills(&self, q: &str, limit: usize) -> Result<Vec<ConceptHit>> {
        self.search_concepts("skills", q, limit).await
    }

    pub async fn search_languages(&self, q: &str, limit: usize) -> Result<Vec<ConceptHit>> {
        self.search_concepts("languages", q, limit).await
    }

    async fn search_concepts(&self, table: &str, q: &str, limit: usize) -> Result<Vec<ConceptHit>> {
        let key = search_key(q);
        if key.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new(&format!("SELECT concept_id, label FROM {table} WHERE "));
        word_prefix(&mut sql, "folded", &key, None);
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut hits = rows
            .iter()
            .map(|r| {
                Ok(ConceptHit {
                    concept_id: get(r, "concept_id")?,
                    label: get(r, "label")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        hits.sort_by_cached_key(|h| taxonomy::rank(&key, &h.label));
        hits.truncate(limit);
        Ok(hits)
    }

    /// Every code of a classification (`sun_level`, `sun_field`, `sni`,
    /// `county`, `municipality`), in code order.
    pub async fn classification(&self, classification: &str) -> Result<Vec<CodeHit>> {
        let rows = Sql::new(
            "SELECT code, label, level, parent FROM classification_codes WHERE classification = ",
        )
        .bind(text(classification))
        .push(" ORDER BY code")
        .query()
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CodeHit {
                    code: get(r, "code")?,
                    label: get(r, "label")?,
                    level: get(r, "level")?,
                    parent: get(r, "parent")?,
                })
            })
            .collect()
    }

    /// The occupation name or SSYK level-4 group with this concept id or code.
    pub async fn occupation(&self, id_or_code: &str) -> Result<Option<OccupationHit>> {
        let row = Sql::new(
            "SELECT 'occupation_name' AS kind, n.concept_id, n.label, n.ssyk_code, g.label AS ssyk_label \
             FROM occupation_names n JOIN occupation_groups g ON g.code = n.ssyk_code WHERE n.concept_id = ",
        )
        .bind(text(id_or_code))
        .push(
            " UNION ALL SELECT 'ssyk_group' AS kind, concept_id, label, code AS ssyk_code, label AS ssyk_label \
             FROM occupation_groups WHERE level = 4 AND (code = ",
        )
        .bind(text(id_or_code))
        .push(" OR concept_id = ")
        .bind(text(id_or_code))
        .push(")")
        .query()
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(OccupationHit {
                kind: get(&r, "kind")?,
                concept_id: get(&r, "concept_id")?,
                label: get(&r, "label")?,
                ssyk_code: get(&r, "ssyk_code")?,
                ssyk_label: get(&r, "ssyk_label")?,
            })
        })
        .transpose()
    }

    /// What a person typed or picked in an occupation field: a concept id,
    /// an SSYK level-4 code, or a label (accents and case ignored). `None`
    /// when it names no single occupation, so forms work without JavaScript.
    pub async fn resolve_occupation(&self, input: &str) -> Result<Option<OccupationHit>> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        if let Some(hit) = self.occupation(input).await? {
            return Ok(Some(hit));
        }
        let key = search_key(input);
        let hits = self.search_occupations(input, MAX_EXACT).await?;
        let mut exact = hits.into_iter().filter(|h| search_key(&h.label) == key);
        Ok(exact.next())
    }

    /// The occupations a typed text may mean when it names no single one
    /// ("Undersköterska" → the undersköterska titles of 5321 and 5323): the
    /// search's hits, at most [`MAX_CHOICES`], for a choice page that works
    /// without JavaScript.
    pub async fn occupation_choices(&self, input: &str) -> Result<Vec<OccupationHit>> {
        self.search_occupations(input.trim(), MAX_CHOICES).await
    }

    /// What a typed occupation names: one occupation, or, where it names
    /// none exactly but all its hits lie in one SSYK group, that group.
    /// `Err` with the choices when they span several groups (empty: none).
    pub async fn occupation_or_choices(
        &self,
        input: &str,
    ) -> Result<std::result::Result<OccupationHit, Vec<OccupationHit>>> {
        if let Some(hit) = self.resolve_occupation(input).await? {
            return Ok(Ok(hit));
        }
        let choices = self.occupation_choices(input).await?;
        let mut groups: Vec<&str> = choices.iter().map(|c| c.ssyk_code.as_str()).collect();
        groups.sort_unstable();
        groups.dedup();
        if let [group] = groups[..] {
            if let Some(hit) = self.occupation(group).await? {
                return Ok(Ok(hit));
            }
        }
        Ok(Err(choices))
    }

    /// A skill by concept id or by its label (accents and case ignored).
    pub async fn resolve_skill(&self, input: &str) -> Result<Option<ConceptHit>> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        if let Some(hit) = self.skill_labels(&[input.to_string()]).await?.pop() {
            return Ok(Some(hit));
        }
        let key = search_key(input);
        let hits = self.search_skills(input, MAX_EXACT).await?;
        Ok(hits.into_iter().find(|h| search_key(&h.label) == key))
    }

    /// Skill labels by concept id, for the ids that exist.
    pub async fn skill_labels(&self, ids: &[String]) -> Result<Vec<ConceptHit>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut sql = Sql::new("SELECT concept_id, label FROM skills WHERE concept_id IN (");
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(text(id));
        }
        sql.push(")");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter()
            .map(|r| {
                Ok(ConceptHit {
                    concept_id: get(r, "concept_id")?,
                    label: get(r, "label")?,
                })
            })
            .collect()
    }
}

/// `col` starts with `key`, or a word of it after the first does. The key is
/// folded to letters, digits, `'` and single spaces, so it holds no LIKE
/// wildcard; it is bound, never spliced.
fn word_prefix(sql: &mut Sql, col: &str, key: &str, code_col: Option<&str>) {
    sql.push("(")
        .push(col)
        .push(" LIKE ")
        .bind(Arg::Text(format!("{key}%")))
        .push(" OR ")
        .push(col)
        .push(" LIKE ")
        .bind(Arg::Text(format!("% {key}%")));
    if let Some(code) = code_col {
        sql.push(" OR ")
            .push(code)
            .push(" LIKE ")
            .bind(Arg::Text(format!("{key}%")));
    }
    sql.push(")");
}
