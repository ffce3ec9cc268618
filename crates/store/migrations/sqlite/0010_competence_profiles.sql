-- The competence database (kompetensdatabas): each participant's profile of
-- experience, education, skills and languages, so coordinators can match
-- people to employers. Saving replaces the child rows as a whole, in one
-- transaction, after a version check.

CREATE TABLE competence_profiles (
    id INTEGER PRIMARY KEY,
    participant_id INTEGER NOT NULL UNIQUE REFERENCES participants(id),
    -- Pseudonym shown in searches: 'K-' and 8 random characters; never changes.
    profile_code TEXT NOT NULL UNIQUE,
    -- SUN 2020 level code (sun-level-hierarchy) and optional field code.
    education_level TEXT,
    education_field TEXT,
    -- 1 when the highest education is from abroad.
    foreign_education INTEGER NOT NULL DEFAULT 0,
    -- not_applicable, not_started, in_progress, validated or not_validated
    foreign_validation TEXT NOT NULL DEFAULT 'not_applicable',
    -- Participant's SwedishLevel code; rank orders it (0 none, 1 sfi_a … 11 native).
    swedish_level TEXT,
    swedish_rank INTEGER NOT NULL DEFAULT 0,
    -- Licence classes between spaces (' B C '), so one class is LIKE '% B %'.
    driving_licences TEXT NOT NULL DEFAULT '',
    -- JSON array of free-text certificates.
    certificates TEXT NOT NULL DEFAULT '[]',
    version INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by INTEGER NOT NULL REFERENCES users(id)
);
CREATE INDEX competence_profiles_swedish ON competence_profiles (swedish_rank);

-- Work experience: an occupation name (concept) or an SSYK level-4 group.
-- ssyk3 and ssyk2 are its first three and two digits, for "same group" search.
CREATE TABLE competence_experiences (
    profile_id INTEGER NOT NULL REFERENCES competence_profiles(id),
    position INTEGER NOT NULL,
    ssyk_code TEXT NOT NULL,
    ssyk3 TEXT NOT NULL,
    ssyk2 TEXT NOT NULL,
    concept_id TEXT,
    label TEXT NOT NULL,
    years INTEGER NOT NULL,
    PRIMARY KEY (profile_id, position)
);
CREATE INDEX competence_experiences_ssyk2 ON competence_experiences (ssyk2, profile_id);
CREATE INDEX competence_experiences_concept ON competence_experiences (concept_id, profile_id);

CREATE TABLE competence_skills (
    profile_id INTEGER NOT NULL REFERENCES competence_profiles(id),
    skill_id TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (profile_id, skill_id)
);
CREATE INDEX competence_skills_skill ON competence_skills (skill_id, profile_id);

CREATE TABLE competence_languages (
    profile_id INTEGER NOT NULL REFERENCES competence_profiles(id),
    language_id TEXT NOT NULL,
    label TEXT NOT NULL,
    -- basic, good, fluent or native
    level TEXT NOT NULL,
    PRIMARY KEY (profile_id, language_id)
);
CREATE INDEX competence_languages_language ON competence_languages (language_id, profile_id);

-- Occupations the participant wishes to work in.
CREATE TABLE competence_wishes (
    profile_id INTEGER NOT NULL REFERENCES competence_profiles(id),
    position INTEGER NOT NULL,
    ssyk_code TEXT NOT NULL,
    concept_id TEXT,
    label TEXT NOT NULL,
    PRIMARY KEY (profile_id, position)
);
CREATE INDEX competence_wishes_ssyk ON competence_wishes (ssyk_code, profile_id);
