//! Suggestions: the best needs for a participant and the best participants
//! for a need, from an in-memory index of everyone's occupations. Candidates
//! come from posting lists (same SSYK 4, 3, 2 group, or an occupation whose
//! experience serves the need's), are ranked by cost without words, and
//! only the top k are explained. Hard constraints never let a pair through.

use std::collections::{HashMap, HashSet};
use vagar_domain::matching::{self, Candidate, Need, Scored, Substitutes, Weights};

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    /// The participant's id (suggestions for a need) or the need's id
    /// (suggestions for a participant).
    pub id: i64,
    pub scored: Scored,
}

#[derive(Default)]
struct Postings {
    ssyk4: HashMap<String, Vec<u32>>,
    ssyk3: HashMap<String, Vec<u32>>,
    ssyk2: HashMap<String, Vec<u32>>,
    occupation: HashMap<String, Vec<u32>>,
}

impl Postings {
    fn add(&mut self, ssyk: &str, occupation_id: Option<&str>, pos: u32) {
        let push = |map: &mut HashMap<String, Vec<u32>>, key: &str| {
            let v = map.entry(key.to_string()).or_default();
            if v.last() != Some(&pos) {
                v.push(pos);
            }
        };
        if ssyk.len() == 4 {
            push(&mut self.ssyk4, ssyk);
            push(&mut self.ssyk3, &ssyk[..3]);
            push(&mut self.ssyk2, &ssyk[..2]);
        }
        if let Some(o) = occupation_id {
            push(&mut self.occupation, o);
        }
    }
}

/// Everyone's matching facts, indexed. Built from the store; rebuilt when
/// the data it was built from changes.
pub struct Index {
    candidates: Vec<Candidate>,
    candidate_pos: HashMap<i64, u32>,
    candidate_postings: Postings,
    /// skill → candidates who have it, for needs that require skills.
    candidate_skills: HashMap<String, Vec<u32>>,
    needs: Vec<Need>,
    need_pos: HashMap<i64, u32>,
    need_postings: Postings,
    subs: Substitutes,
    /// experience occupation → the occupations it serves
    serves: HashMap<String, Vec<String>>,
    weights: Weights,
}

impl Index {
    pub fn new(
        mut candidates: Vec<Candidate>,
        needs: Vec<Need>,
        substitutions: Vec<(String, String, u8)>,
        weights: Weights,
    ) -> Index {
        // Position order is id order, so a scan in position order meets
        // equal costs lowest id first and can stop early (see `for_need`).
        candidates.sort_by_key(|c| c.participant_id);
        let mut candidate_postings = Postings::default();
        let mut candidate_skills: HashMap<String, Vec<u32>> = HashMap::new();
        let mut candidate_pos = HashMap::with_capacity(candidates.len());
        for (i, c) in candidates.iter().enumerate() {
            candidate_pos.insert(c.participant_id, i as u32);
            for o in &c.occupations {
                candidate_postings.add(&o.ssyk_code, o.occupation_id.as_deref(), i as u32);
            }
            for skill in &c.skills {
                candidate_skills
                    .entry(skill.clone())
                    .or_default()
                    .push(i as u32);
            }
        }
        let mut need_postings = Postings::default();
        let mut need_pos = HashMap::with_capacity(needs.len());
        for (i, n) in needs.iter().enumerate() {
            need_pos.insert(n.need_id, i as u32);
            need_postings.add(&n.ssyk_code, n.occupation_id.as_deref(), i as u32);
        }
        let mut serves: HashMap<String, Vec<String>> = HashMap::new();
        for (experience, target, _) in &substitutions {
            serves
                .entry(experience.clone())
                .or_default()
                .push(target.clone());
        }
        Index {
            candidates,
            candidate_pos,
            candidate_postings,
            candidate_skills,
            needs,
            need_pos,
            need_postings,
            subs: Substitutes::new(substitutions),
            serves,
            weights,
        }
    }

    /// Every open need in the index, in id order.
    pub fn needs(&self) -> &[Need] {
        &self.needs
    }
    /// Every candidate in the index, in id order.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }
    pub fn weights(&self) -> &Weights {
        &self.weights
    }
    pub fn need(&self, id: i64) -> Option<&Need> {
        self.need_pos.get(&id).map(|p| &self.needs[*p as usize])
    }
    pub fn candidate(&self, id: i64) -> Option<&Candidate> {
        self.candidate_pos
            .get(&id)
            .map(|p| &self.candidates[*p as usize])
    }
    pub fn substitutes(&self) -> &Substitutes {
        &self.subs
    }
    pub fn len(&self) -> (usize, usize) {
        (self.candidates.len(), self.needs.len())
    }

    /// The best `k` participants for need `need_id` among those `allowed`
    /// lets through (access), best first; `None` for an unknown need.
    ///
    /// Candidates come tier by tier (same SSYK 4, same SSYK 3, a serving
    /// occupation, same SSYK 2); a tier whose best possible score cannot beat
    /// the k-th found so far is not read, which keeps crowded groups cheap.
    pub fn for_need(
        &self,
        need_id: i64,
        k: usize,
        allowed: impl Fn(i64) -> bool,
    ) -> Option<Vec<Suggestion>> {
        let need = self.need(need_id)?;
        let ssyk = need.ssyk_code.as_str();
        let p = &self.candidate_postings;
        let mut tiers: Vec<(f64, Vec<&Vec<u32>>)> = Vec::with_capacity(4);
        let same_occupation = need
            .occupation_id
            .as_ref()
            .and_then(|o| p.occupation.get(o));
        tiers.push((
            1.0,
            p.ssyk4
                .get(ssyk)
                .into_iter()
                .chain(same_occupation)
                .collect(),
        ));
        if ssyk.len() == 4 {
            tiers.push((0.7, p.ssyk3.get(&ssyk[..3]).into_iter().collect()));
        }
        if let Some(target) = &need.occupation_id {
            tiers.push((
                0.65,
                self.subs
                    .serving(target)
                    .filter_map(|(experience, _)| p.occupation.get(experience))
                    .collect(),
            ));
        }
        if ssyk.len() >= 2 {
            tiers.push((0.3, p.ssyk2.get(&ssyk[..2]).into_iter().collect()));
        }
        let mut seen = vec![0u64; self.candidates.len() / 64 + 1];
        let mut top = TopK::new(k);
        let mut consider = |pos: u32, top: &mut TopK| {
            let (word, bit) = (pos as usize / 64, 1u64 << (pos % 64));
            if seen[word] & bit != 0 {
                return;
            }
            seen[word] |= bit;
            let c = &self.candidates[pos as usize];
            // Only people with a related occupation are suggested.
            if !allowed(c.participant_id)
                || matching::block(c, need).is_some()
                || matching::occupation_score(c, need, &self.subs) <= 0.0
            {
                return;
            }
            top.offer(
                matching::cost_only(c, need, &self.subs, &self.weights),
                c.participant_id,
                pos,
            );
        };
        // Those with a required skill first: they are few, and afterwards
        // everyone left has no required skill, which lowers the bounds.
        let skilled = !need.required_skills.is_empty();
        for (skill, _) in &need.required_skills {
            for &pos in self.candidate_skills.get(skill).into_iter().flatten() {
                consider(pos, &mut top);
            }
        }
        for (fit, lists) in tiers {
            let floor = self.best_cost(need, fit, skilled);
            if top.full() && top.worst_cost() < floor {
                break;
            }
            for pos in merged(&lists) {
                // Ids only grow from here and no cost is below the floor:
                // nothing more in this tier can enter.
                if top.full() && top.worst() < (floor, self.candidates[pos as usize].participant_id)
                {
                    break;
                }
                consider(pos, &mut top);
            }
        }
        Some(
            top.into_sorted()
                .into_iter()
                .map(|(_, id, pos)| Suggestion {
                    id,
                    scored: matching::score(
                        &self.candidates[pos as usize],
                        need,
                        &self.subs,
                        &self.weights,
                    ),
                })
                .collect(),
        )
    }

    /// The lowest cost a pair with this need can have when its occupation
    /// fit is at most `fit` (and, with `no_required_skill`, it has none of
    /// the required skills). Factors fixed by the need count as they are.
    fn best_cost(&self, need: &Need, fit: f64, no_required_skill: bool) -> i64 {
        let w = &self.weights;
        let total = w.occupation
            + w.required_skills
            + w.meritorious_skills
            + w.swedish
            + w.driving_licence
            + w.education
            + w.distance
            + w.shortage
            + w.accessibility
            + w.forms;
        if total <= 0.0 {
            return 0;
        }
        let mut best = total - w.occupation * (1.0 - fit);
        if !need.shortage {
            best -= w.shortage;
        }
        if no_required_skill && !need.required_skills.is_empty() {
            best -= w.required_skills;
        }
        matching::cost(best / total)
    }

    /// The needs related to a participant's occupations (each once).
    pub fn related_needs(&self, participant_id: i64) -> Vec<&Need> {
        let Some(c) = self.candidate(participant_id) else {
            return Vec::new();
        };
        self.related_need_positions(c)
            .into_iter()
            .map(|p| &self.needs[p as usize])
            .collect()
    }

    fn related_need_positions(&self, c: &Candidate) -> Vec<u32> {
        let mut seen: HashSet<u32> = HashSet::new();
        let mut pool: Vec<u32> = Vec::new();
        let mut take = |list: Option<&Vec<u32>>| {
            for p in list.into_iter().flatten() {
                if seen.insert(*p) {
                    pool.push(*p);
                }
            }
        };
        for o in &c.occupations {
            let ssyk = o.ssyk_code.as_str();
            take(self.need_postings.ssyk4.get(ssyk));
            if let Some(id) = &o.occupation_id {
                take(self.need_postings.occupation.get(id));
            }
            if ssyk.len() == 4 {
                take(self.need_postings.ssyk3.get(&ssyk[..3]));
                take(self.need_postings.ssyk2.get(&ssyk[..2]));
            }
            if let Some(id) = &o.occupation_id {
                for target in self.serves.get(id).into_iter().flatten() {
                    take(self.need_postings.occupation.get(target));
                }
            }
        }
        pool
    }

    /// The best `k` open needs for participant `participant_id`, best first;
    /// `None` for a participant the index does not hold.
    pub fn for_participant(&self, participant_id: i64, k: usize) -> Option<Vec<Suggestion>> {
        let c = self.candidate(participant_id)?;
        let pool = self.related_need_positions(c);
        let mut top = TopK::new(k);
        for pos in pool {
            let n = &self.needs[pos as usize];
            if matching::block(c, n).is_some() {
                continue;
            }
            top.offer(
                matching::cost_only(c, n, &self.subs, &self.weights),
                n.need_id,
                pos,
            );
        }
        Some(
            top.into_sorted()
                .into_iter()
                .map(|(_, id, pos)| Suggestion {
                    id,
                    scored: matching::score(
                        c,
                        &self.needs[pos as usize],
                        &self.subs,
                        &self.weights,
                    ),
                })
                .collect(),
        )
    }
}

/// The positions of sorted lists, merged in ascending order (duplicates
/// kept; the caller skips what it has seen).
fn merged<'a>(lists: &[&'a Vec<u32>]) -> impl Iterator<Item = u32> + 'a {
    use std::cmp::Reverse;
    let mut heap: std::collections::BinaryHeap<Reverse<(u32, usize, usize)>> = lists
        .iter()
        .enumerate()
        .filter_map(|(l, v)| v.first().map(|&p| Reverse((p, l, 0))))
        .collect();
    let lists: Vec<&'a Vec<u32>> = lists.to_vec();
    std::iter::from_fn(move || {
        let Reverse((pos, l, i)) = heap.pop()?;
        if let Some(&next) = lists[l].get(i + 1) {
            heap.push(Reverse((next, l, i + 1)));
        }
        Some(pos)
    })
}

/// The k cheapest (cost, id) seen, ties broken by the lower id so answers
/// are stable: a bounded max-heap with the worst kept pair on top.
struct TopK {
    k: usize,
    heap: std::collections::BinaryHeap<(i64, i64, u32)>,
}

impl TopK {
    fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: std::collections::BinaryHeap::with_capacity(k + 1),
        }
    }
    fn full(&self) -> bool {
        self.heap.len() >= self.k
    }
    fn worst_cost(&self) -> i64 {
        self.heap.peek().map_or(i64::MAX, |t| t.0)
    }
    fn worst(&self) -> (i64, i64) {
        self.heap
            .peek()
            .map_or((i64::MAX, i64::MAX), |t| (t.0, t.1))
    }
    fn offer(&mut self, cost: i64, id: i64, pos: u32) {
        if self.k == 0 {
            return;
        }
        if self.full() {
            let &(worst_cost, worst_id, _) = self.heap.peek().expect("k > 0");
            if (cost, id) >= (worst_cost, worst_id) {
                return;
            }
            self.heap.pop();
        }
        self.heap.push((cost, id, pos));
    }
    fn into_sorted(self) -> Vec<(i64, i64, u32)> {
        self.heap.into_sorted_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use vagar_domain::matching::{OccupationSource, ParticipantOccupation};

    fn person(id: i64, ssyk: &str, occupation: Option<&str>, licences: &[&str]) -> Candidate {
        Candidate {
            participant_id: id,
            occupations: vec![ParticipantOccupation {
                ssyk_code: ssyk.into(),
                occupation_id: occupation.map(str::to_string),
                label: format!("yrke {ssyk}"),
                source: OccupationSource::Experience,
                years: 2,
            }],
            driving_licences: licences.iter().map(|l| l.to_string()).collect(),
            municipality_code: "0180".into(),
            ..Candidate::default()
        }
    }

    fn need(id: i64, ssyk: &str, occupation: Option<&str>, licences: &[&str]) -> Need {
        Need {
            need_id: id,
            ssyk_code: ssyk.into(),
            occupation_id: occupation.map(str::to_string),
            occupation_label: format!("behov {ssyk}"),
            driving_licences: licences.iter().map(|l| l.to_string()).collect(),
            municipality_code: "0180".into(),
            ..Need::default()
        }
    }

    fn index() -> Index {
        Index::new(
            vec![
                person(1, "5312", None, &[]),
                person(2, "5311", Some("barnskotare"), &[]),
                person(3, "2341", None, &["B"]),
                person(4, "5312", None, &["B"]),
                person(5, "5399", None, &[]),
            ],
            vec![
                need(10, "5312", Some("elevassistent"), &[]),
                need(11, "5312", Some("elevassistent"), &["B"]),
                need(12, "2341", None, &[]),
            ],
            vec![("barnskotare".into(), "elevassistent".into(), 75)],
            Weights::default(),
        )
    }

    #[test]
    fn best_first_and_blocked_pairs_never_appear() {
        let ix = index();
        let got: Vec<i64> = ix
            .for_need(10, 10, |_| true)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        // Same SSYK 4 first (4's B licence is a small plus), then SSYK 3
        // (also substitutable), then SSYK 2.
        assert_eq!(got, [4, 1, 2, 5]);
        let need_b: Vec<i64> = ix
            .for_need(11, 10, |_| true)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(need_b, [4], "only the one with a B licence");
        let top1 = ix.for_need(10, 1, |_| true).unwrap();
        assert_eq!(top1.len(), 1);
        assert_eq!(top1[0].scored.factors.len(), 10);
        let filtered: Vec<i64> = ix
            .for_need(10, 10, |id| id != 1)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(filtered, [4, 2, 5]);
        let filtered: Vec<i64> = ix
            .for_need(10, 10, |id| id != 4)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(filtered, [1, 2, 5]);
        assert!(ix.for_need(99, 3, |_| true).is_none());
    }

    #[test]
    fn needs_for_a_participant_include_substitutable_occupations() {
        let ix = index();
        let got: Vec<i64> = ix
            .for_participant(2, 10)
            .unwrap()
            .iter()
            .map(|s| s.id)
            .collect();
        assert_eq!(got, [10], "need 11 wants a licence person 2 lacks");
        let why = &ix.for_participant(2, 1).unwrap()[0].scored.factors[0].detail;
        assert!(why.contains("SSYK 3"), "{why}");
        assert!(ix.for_participant(42, 3).is_none());
    }

    #[test]
    fn the_index_agrees_with_scoring_every_pair() {
        // Brute force over all pairs gives the same top list.
        let ix = index();
        for n in [10, 11, 12] {
            let need = ix.need(n).unwrap().clone();
            let mut all: Vec<(i64, i64)> = (1..=5)
                .filter_map(|p| {
                    let c = ix.candidate(p).unwrap();
                    let scored =
                        matching::evaluate(c, &need, ix.substitutes(), ix.weights()).ok()?;
                    let fit = scored.factors[0].score;
                    (fit > 0.0).then_some((scored.cost, p))
                })
                .collect();
            all.sort();
            let got: Vec<(i64, i64)> = ix
                .for_need(n, 10, |_| true)
                .unwrap()
                .iter()
                .map(|s| (s.scored.cost, s.id))
                .collect();
            assert_eq!(got, all, "need {n}");
        }
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// With pruning, the top k equal brute force over every related pair.
        #[test]
        fn pruned_top_k_equals_brute_force(
            people in prop::collection::vec((0usize..6, prop::option::of(0usize..3), any::<bool>(), 0u32..8, prop::collection::vec(0usize..4, 0..3)), 1..40),
            k in 1usize..8,
            need_group in 0usize..6,
            need_skills in prop::collection::vec(0usize..4, 0..3),
            need_licence in any::<bool>(),
        ) {
            let groups = ["5312", "5311", "5399", "2341", "5312", "2342"];
            let occupations = ["barnskotare", "elevassistent", "larare"];
            let candidates: Vec<Candidate> = people.iter().enumerate().map(|(i, (g, o, b, years, skills))| {
                let mut c = person(i as i64, groups[*g], o.map(|o| occupations[o]), if *b { &["B"] } else { &[] });
                c.occupations[0].years = *years;
                c.skills = skills.iter().map(|s| format!("s{s}")).collect();
                c
            }).collect();
            let mut n = need(1, groups[need_group], Some("elevassistent"), if need_licence { &["B"] } else { &[] });
            n.required_skills = need_skills.iter().map(|s| (format!("s{s}"), "x".to_string())).collect();
            let subs = vec![("barnskotare".to_string(), "elevassistent".to_string(), 75), ("larare".to_string(), "elevassistent".to_string(), 25)];
            let ix = Index::new(candidates.clone(), vec![n.clone()], subs, Weights::default());
            let mut all: Vec<(i64, i64)> = candidates.iter().filter_map(|c| {
                let s = matching::evaluate(c, &n, ix.substitutes(), ix.weights()).ok()?;
                (s.factors[0].score > 0.0).then_some((s.cost, c.participant_id))
            }).collect();
            all.sort();
            all.truncate(k);
            let got: Vec<(i64, i64)> = ix.for_need(1, k, |_| true).unwrap().iter().map(|s| (s.scored.cost, s.id)).collect();
            prop_assert_eq!(got, all);
        }
    }
}
