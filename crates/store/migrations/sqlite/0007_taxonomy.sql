-- Classification data (JobTech Taxonomy: SSYK 2012, skills, languages,
-- substitutability; SUN 2020; SNI 2007; SCB municipalities). Replaced as a
-- whole when a newer export is loaded, so nothing references these tables
-- with a foreign key: records keep the concept id and code they were given.
-- `folded` is the search form of a label (lower case, å/ä/ö and accents folded).

CREATE TABLE taxonomy_meta (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version TEXT NOT NULL,
    source TEXT NOT NULL,
    loaded_at INTEGER NOT NULL
);

CREATE TABLE occupation_groups (
    code TEXT PRIMARY KEY,
    level INTEGER NOT NULL,
    concept_id TEXT NOT NULL,
    label TEXT NOT NULL,
    folded TEXT NOT NULL,
    definition TEXT NOT NULL
);

CREATE TABLE occupation_names (
    concept_id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    folded TEXT NOT NULL,
    ssyk_code TEXT NOT NULL
);
CREATE INDEX occupation_names_ssyk ON occupation_names (ssyk_code);

CREATE TABLE skills (
    concept_id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    folded TEXT NOT NULL
);

CREATE TABLE occupation_group_skills (
    ssyk_code TEXT NOT NULL,
    skill_id TEXT NOT NULL,
    PRIMARY KEY (ssyk_code, skill_id)
);

-- Experience as `experience_id` serves the occupation `target_id` to `percentage` %.
CREATE TABLE occupation_substitutes (
    experience_id TEXT NOT NULL,
    target_id TEXT NOT NULL,
    percentage INTEGER NOT NULL,
    PRIMARY KEY (target_id, experience_id)
);

CREATE TABLE languages (
    concept_id TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    folded TEXT NOT NULL,
    iso_639_1 TEXT,
    iso_639_2 TEXT,
    iso_639_3 TEXT
);

-- SUN levels and fields, SNI sections and divisions, counties and
-- municipalities: one table of codes per classification.
CREATE TABLE classification_codes (
    classification TEXT NOT NULL,
    code TEXT NOT NULL,
    level INTEGER NOT NULL,
    parent TEXT,
    label TEXT NOT NULL,
    PRIMARY KEY (classification, code)
);
