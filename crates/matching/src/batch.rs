//! Batch assignment of a chosen set of participants to a chosen set of
//! needs: every related, unblocked pair becomes an edge with the score's
//! cost, each need offers its open positions, and the exact solver finds the
//! assignment that places the most people and then costs the least.

use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use vagar_domain::matching::{self, Scored};

use crate::suggest::Index;
use crate::{solve, Instance};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposedPair {
    pub participant_id: i64,
    pub need_id: i64,
    pub cost: i64,
    pub scored: Scored,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Proposal {
    pub pairs: Vec<ProposedPair>,
    pub matched: u64,
    pub cost: i64,
    /// Allowed pairs the solver chose among.
    pub edges: usize,
    pub participants: usize,
    pub needs: usize,
    /// Chosen participants with no related, unblocked need at all.
    pub without_any_pair: usize,
}

/// Assign `participant_ids` to `need_ids` (unknown ids are ignored).
pub fn propose(index: &Index, participant_ids: &[i64], need_ids: &[i64]) -> Proposal {
    let needs: Vec<_> = need_ids.iter().filter_map(|id| index.need(*id)).collect();
    let need_pos: HashMap<i64, u32> = needs
        .iter()
        .enumerate()
        .map(|(i, n)| (n.need_id, i as u32))
        .collect();
    let people: Vec<i64> = {
        let mut seen = HashSet::new();
        participant_ids
            .iter()
            .copied()
            .filter(|id| index.candidate(*id).is_some() && seen.insert(*id))
            .collect()
    };
    let mut edges: Vec<(u32, u32, i64)> = Vec::new();
    let mut without_any_pair = 0;
    for (p, id) in people.iter().enumerate() {
        let c = index.candidate(*id).expect("filtered above");
        let mut row: Vec<(u32, i64)> = index
            .related_needs(*id)
            .into_iter()
            .filter_map(|n| {
                let pos = *need_pos.get(&n.need_id)?;
                if matching::block(c, n).is_some() {
                    return None;
                }
                Some((
                    pos,
                    matching::cost_only(c, n, index.substitutes(), index.weights()),
                ))
            })
            .collect();
        if row.is_empty() {
            without_any_pair += 1;
        }
        // The instance wants rows sorted by participant, then need.
        row.sort_unstable();
        edges.extend(row.into_iter().map(|(n, cost)| (p as u32, n, cost)));
    }
    let capacities: Vec<u32> = needs.iter().map(|n| n.capacity).collect();
    let instance = Instance::from_edges(people.len() as u32, capacities, &edges)
        .expect("edges are built in range and in order");
    let solution = solve(&instance);
    let pairs = solution
        .assignment
        .iter()
        .enumerate()
        .filter_map(|(p, n)| {
            let n = needs[(*n)? as usize];
            let c = index.candidate(people[p])?;
            let scored = matching::score(c, n, index.substitutes(), index.weights());
            Some(ProposedPair {
                participant_id: people[p],
                need_id: n.need_id,
                cost: scored.cost,
                scored,
            })
        })
        .collect();
    Proposal {
        pairs,
        matched: solution.matched,
        cost: solution.cost,
        edges: edges.len(),
        participants: people.len(),
        needs: needs.len(),
        without_any_pair,
    }
}

/// The share placed within each group (e.g. gender, birth region,
/// disability), so a coordinator sees whether a proposal leaves a group behind.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rate {
    pub group: String,
    pub total: usize,
    pub placed: usize,
    /// placed / total, 0 when the group is empty
    pub rate: f64,
}

pub fn placement_rates<'a>(
    groups: impl IntoIterator<Item = (i64, &'a str)>,
    placed: &HashSet<i64>,
) -> Vec<Rate> {
    let mut by: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (id, g) in groups {
        let e = by.entry(g).or_default();
        e.0 += 1;
        if placed.contains(&id) {
            e.1 += 1;
        }
    }
    by.into_iter()
        .map(|(group, (total, n))| Rate {
            group: group.to_string(),
            total,
            placed: n,
            rate: if total == 0 {
                0.0
            } else {
                n as f64 / total as f64
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use vagar_domain::matching::{
        Candidate, Need, OccupationSource, ParticipantOccupation, Weights,
    };

    fn person(id: i64, ssyk: &str, licence: bool) -> Candidate {
        Candidate {
            participant_id: id,
            occupations: vec![ParticipantOccupation {
                ssyk_code: ssyk.into(),
                occupation_id: None,
                label: ssyk.into(),
                source: OccupationSource::Experience,
                years: 5,
            }],
            driving_licences: if licence { vec!["B".into()] } else { vec![] },
            municipality_code: "0180".into(),
            ..Candidate::default()
        }
    }

    fn need(id: i64, ssyk: &str, capacity: u32, licence: bool) -> Need {
        Need {
            need_id: id,
            ssyk_code: ssyk.into(),
            occupation_label: ssyk.into(),
            municipality_code: "0180".into(),
            driving_licences: if licence { vec!["B".into()] } else { vec![] },
            capacity,
            ..Need::default()
        }
    }

    #[test]
    fn places_the_most_people_under_capacities_and_never_a_blocked_pair() {
        let index = Index::new(
            vec![
                person(1, "5312", true),
                person(2, "5312", false),
                person(3, "5311", false),
                person(4, "2341", false),
            ],
            vec![need(10, "5312", 1, true), need(11, "5312", 1, false)],
            vec![],
            Weights::default(),
        );
        let p = propose(&index, &[1, 2, 3, 4, 4, 99], &[10, 11, 77]);
        assert_eq!((p.participants, p.needs), (3 + 1, 2));
        // Only 1 can take need 10 (licence); then 2 (same group) beats 3.
        let got: Vec<(i64, i64)> = p
            .pairs
            .iter()
            .map(|x| (x.participant_id, x.need_id))
            .collect();
        assert_eq!(got, [(1, 10), (2, 11)]);
        assert_eq!(p.matched, 2);
        assert_eq!(p.cost, p.pairs.iter().map(|x| x.cost).sum::<i64>());
        assert_eq!(p.without_any_pair, 1, "participant 4 has no related need");
        assert!(p.pairs.iter().all(|x| x.scored.factors.len() == 10));
    }

    #[test]
    fn rates_per_group() {
        let placed: HashSet<i64> = [1, 3].into();
        let rates = placement_rates(
            [(1, "woman"), (2, "woman"), (3, "man"), (4, "other")],
            &placed,
        );
        assert_eq!(
            rates
                .iter()
                .map(|r| (r.group.as_str(), r.total, r.placed))
                .collect::<Vec<_>>(),
            [("man", 1, 1), ("other", 1, 0), ("woman", 2, 1)]
        );
        assert_eq!(rates[2].rate, 0.5);
    }
}
