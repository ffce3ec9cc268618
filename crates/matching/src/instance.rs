//! Instances: parsing, validation and the compact edge storage the solver reads.

use std::fmt;
use std::path::{Path, PathBuf};

/// Largest accepted value of `max_cost * min(participants, edges)`.
///
/// The solver turns "assign as many as possible" into costs by charging a penalty
/// `big = max_cost * min(P, E) + 1` for every unfilled slot and keeps node
/// potentials of that magnitude; staying below 2^60 leaves headroom so that no
/// `i64` sum inside the solver can overflow.
pub const MAX_COST_PRODUCT: i128 = 1 << 60;

/// Where in the input an error was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of the instance text.
    Line(usize),
    /// 0-based index into the edge slice given to [`Instance::from_edges`].
    Edge(usize),
    /// The instance as a whole.
    Whole,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Line(l) => write!(f, "line {l}"),
            Location::Edge(e) => write!(f, "edge #{e}"),
            Location::Whole => write!(f, "instance"),
        }
    }
}

/// Everything that can be wrong with an instance.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{at}: bad header: {message} (expected `P N E`)")]
    BadHeader { at: Location, message: String },
    #[error("{at}: invalid number `{token}` ({what})")]
    InvalidNumber {
        at: Location,
        token: String,
        what: &'static str,
    },
    #[error("{at}: unexpected end of input: expected {expected}")]
    UnexpectedEnd { at: Location, expected: String },
    #[error("{at}: unexpected data after the {edges} edges announced in the header")]
    TrailingData { at: Location, edges: usize },
    #[error("{at}: participant {participant} out of range (P = {participants})")]
    ParticipantOutOfRange {
        at: Location,
        participant: u64,
        participants: u32,
    },
    #[error("{at}: need {need} out of range (N = {needs})")]
    NeedOutOfRange {
        at: Location,
        need: u64,
        needs: usize,
    },
    #[error("{at}: negative cost {cost} (costs must be >= 0)")]
    NegativeCost { at: Location, cost: i64 },
    #[error(
        "{at}: costs too large for exact 64-bit arithmetic: max cost {max_cost} \
         times min(P, E) = {factor} must stay below 2^60"
    )]
    CostTooLarge {
        at: Location,
        max_cost: i64,
        factor: u64,
    },
}

/// A batch-assignment instance: `participants` participants, one capacity per need,
/// and the allowed (participant, need, cost) pairs.
///
/// Edges are stored per participant (CSR), sorted by need with duplicates merged:
/// when a pair is listed more than once only its cheapest cost is kept, which
/// cannot change the optimum. The fields `participants` and `capacities` are public
/// for reading; the edges are fixed at construction, so treat them as read-only
/// (the solver takes need capacities from `capacities`, a missing entry counting
/// as 0, and the participant count from the edge index).
#[derive(Debug, Clone)]
pub struct Instance {
    pub participants: u32,
    pub capacities: Vec<u32>,
    /// `offsets[p]..offsets[p + 1]` indexes the edges of participant `p`.
    offsets: Vec<usize>,
    needs: Vec<u32>,
    costs: Vec<i64>,
    max_cost: i64,
    /// Number of needs at construction (need ids in the edges are below it).
    needs_n: usize,
}

impl Instance {
    /// Parses the plain-text format: `P N E`, then N capacities, then E lines
    /// `participant need cost` (whitespace-separated, 0-based ids).
    ///
    /// Edges may come in any order (the generator sorts them, but we do not rely
    /// on it; unsorted input costs one extra sort). Costs may be any non-negative
    /// integer up to the [`MAX_COST_PRODUCT`] bound; negative costs are rejected.
    pub fn parse(text: &[u8]) -> Result<Instance, InstanceError> {
        let mut lx = Lexer {
            s: text,
            pos: 0,
            line: 1,
        };
        let header = |lx: &mut Lexer<'_>, what: &str| -> Result<u64, InstanceError> {
            match lx.next() {
                None => Err(InstanceError::BadHeader {
                    at: Location::Line(lx.line),
                    message: format!("missing {what}"),
                }),
                Some(tok) => parse_u64(tok.text).ok_or_else(|| InstanceError::BadHeader {
                    at: Location::Line(tok.line),
                    message: format!(
                        "{what} must be a non-negative integer, found `{}`",
                        show(tok.text)
                    ),
                }),
            }
        };
        let p = header(&mut lx, "participant count P")?;
        let n = header(&mut lx, "need count N")?;
        let e = header(&mut lx, "edge count E")?;
        let participants = u32::try_from(p).map_err(|_| InstanceError::BadHeader {
            at: Location::Line(1),
            message: format!("P = {p} exceeds {}", u32::MAX),
        })?;
        let needs_n = u32::try_from(n).map_err(|_| InstanceError::BadHeader {
            at: Location::Line(1),
            message: format!("N = {n} exceeds {}", u32::MAX),
        })? as usize;
        let edges_n = usize::try_from(e).map_err(|_| InstanceError::BadHeader {
            at: Location::Line(1),
            message: format!("E = {e} exceeds the address space"),
        })?;
        // Every edge takes at least 6 bytes ("0 0 0\n"): never preallocate more
        // than the text can hold, whatever the header claims.
        let prealloc = edges_n.min(text.len() / 6 + 1);

        let mut capacities = Vec::with_capacity(needs_n.min(text.len() / 2 + 1));
        for j in 0..needs_n {
            let tok = lx.next().ok_or_else(|| InstanceError::UnexpectedEnd {
                at: Location::Line(lx.line),
                expected: format!("{needs_n} capacities, found {j}"),
            })?;
            let c = parse_u64(tok.text)
                .and_then(|c| u32::try_from(c).ok())
                .ok_or_else(|| invalid(&tok, "capacity must be an integer in 0..=4294967295"))?;
            capacities.push(c);
        }

        let mut ps = Vec::with_capacity(prealloc);
        let mut ns = Vec::with_capacity(prealloc);
        let mut cs = Vec::with_capacity(prealloc);
        for k in 0..edges_n {
            let mut field = |what: &'static str| {
                lx.next().ok_or_else(|| InstanceError::UnexpectedEnd {
                    at: Location::Line(lx.line),
                    expected: format!("{edges_n} edges, found {k} complete (missing {what})"),
                })
            };
            let tp = field("participant")?;
            let tn = field("need")?;
            let tc = field("cost")?;
            let pi = parse_u64(tp.text).ok_or_else(|| invalid(&tp, "participant id"))?;
            if pi >= p {
                return Err(InstanceError::ParticipantOutOfRange {
                    at: Location::Line(tp.line),
                    participant: pi,
                    participants,
                });
            }
            let nj = parse_u64(tn.text).ok_or_else(|| invalid(&tn, "need id"))?;
            if nj >= n {
                return Err(InstanceError::NeedOutOfRange {
                    at: Location::Line(tn.line),
                    need: nj,
                    needs: needs_n,
                });
            }
            let cost = match parse_u64(tc.text) {
                Some(c) => i64::try_from(c).map_err(|_| invalid(&tc, "cost exceeds i64"))?,
                None => {
                    // Distinguish "negative" from "garbage" for a clearer message.
                    let neg = tc.text.first() == Some(&b'-')
                        && parse_u64(&tc.text[1..]).is_some_and(|v| v > 0);
                    if neg {
                        let v = parse_u64(&tc.text[1..]).unwrap_or(0);
                        return Err(InstanceError::NegativeCost {
                            at: Location::Line(tc.line),
                            cost: i64::try_from(v).map(|v| -v).unwrap_or(i64::MIN),
                        });
                    }
                    return Err(invalid(&tc, "cost must be a non-negative integer"));
                }
            };
            ps.push(pi as u32);
            ns.push(nj as u32);
            cs.push(cost);
        }
        if let Some(tok) = lx.next() {
            return Err(InstanceError::TrailingData {
                at: Location::Line(tok.line),
                edges: edges_n,
            });
        }
        Self::from_columns(participants, capacities, ps, ns, cs, Location::Whole)
    }

    /// Reads and parses an instance file.
    pub fn read(path: &Path) -> Result<Instance, InstanceError> {
        let text = std::fs::read(path).map_err(|source| InstanceError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text)
    }

    /// Builds an instance from `(participant, need, cost)` triples in any order.
    /// `capacities.len()` is the number of needs.
    pub fn from_edges(
        participants: u32,
        capacities: Vec<u32>,
        edges: &[(u32, u32, i64)],
    ) -> Result<Instance, InstanceError> {
        let needs_n = capacities.len();
        let mut ps = Vec::with_capacity(edges.len());
        let mut ns = Vec::with_capacity(edges.len());
        let mut cs = Vec::with_capacity(edges.len());
        for (k, &(p, n, c)) in edges.iter().enumerate() {
            if p >= participants {
                return Err(InstanceError::ParticipantOutOfRange {
                    at: Location::Edge(k),
                    participant: p.into(),
                    participants,
                });
            }
            if n as usize >= needs_n {
                return Err(InstanceError::NeedOutOfRange {
                    at: Location::Edge(k),
                    need: n.into(),
                    needs: needs_n,
                });
            }
            if c < 0 {
                return Err(InstanceError::NegativeCost {
                    at: Location::Edge(k),
                    cost: c,
                });
            }
            ps.push(p);
            ns.push(n);
            cs.push(c);
        }
        Self::from_columns(participants, capacities, ps, ns, cs, Location::Whole)
    }

    /// Builds the per-participant CSR from validated edge columns.
    fn from_columns(
        participants: u32,
        capacities: Vec<u32>,
        ps: Vec<u32>,
        ns: Vec<u32>,
        cs: Vec<i64>,
        at: Location,
    ) -> Result<Instance, InstanceError> {
        let p_n = participants as usize;
        let sorted = ps
            .windows(2)
            .zip(ns.windows(2))
            .all(|(p, n)| (p[0], n[0]) < (p[1], n[1]));
        let (offsets, needs, costs) = if sorted {
            // The generator's order: strictly increasing (participant, need), so the
            // columns already are the CSR and no pair is duplicated.
            let mut offsets = vec![0usize; p_n + 1];
            for &p in &ps {
                offsets[p as usize + 1] += 1;
            }
            for i in 0..p_n {
                offsets[i + 1] += offsets[i];
            }
            (offsets, ns, cs)
        } else {
            let mut triples: Vec<(u32, u32, i64)> = ps
                .into_iter()
                .zip(ns)
                .zip(cs)
                .map(|((p, n), c)| (p, n, c))
                .collect();
            triples.sort_unstable();
            // Sorting by cost last puts the cheapest copy of a duplicated pair first.
            triples.dedup_by_key(|t| (t.0, t.1));
            let mut offsets = vec![0usize; p_n + 1];
            for t in &triples {
                offsets[t.0 as usize + 1] += 1;
            }
            for i in 0..p_n {
                offsets[i + 1] += offsets[i];
            }
            let needs = triples.iter().map(|t| t.1).collect();
            let costs = triples.iter().map(|t| t.2).collect();
            (offsets, needs, costs)
        };
        let max_cost = costs.iter().copied().max().unwrap_or(0);
        let factor = (p_n as u64).min(needs.len() as u64);
        if i128::from(max_cost) * i128::from(factor) + 1 >= MAX_COST_PRODUCT {
            return Err(InstanceError::CostTooLarge {
                at,
                max_cost,
                factor,
            });
        }
        Ok(Instance {
            participants,
            needs_n: capacities.len(),
            capacities,
            offsets,
            needs,
            costs,
            max_cost,
        })
    }

    /// Number of needs (as constructed).
    pub fn num_needs(&self) -> usize {
        self.needs_n
    }

    /// Number of distinct allowed (participant, need) pairs.
    pub fn num_edges(&self) -> usize {
        self.needs.len()
    }

    /// Largest edge cost (0 without edges).
    pub fn max_cost(&self) -> i64 {
        self.max_cost
    }

    /// Needs (ascending) and costs of participant `p`'s allowed pairs.
    pub fn edges_of(&self, p: u32) -> (&[u32], &[i64]) {
        let r = self.offsets[p as usize]..self.offsets[p as usize + 1];
        (&self.needs[r.clone()], &self.costs[r])
    }

    /// Cost of the pair (p, need), if allowed.
    pub fn cost_of(&self, p: u32, need: u32) -> Option<i64> {
        let (ns, cs) = self.edges_of(p);
        ns.binary_search(&need).ok().map(|k| cs[k])
    }

    /// The raw CSR arrays: offsets (length P + 1), needs, costs.
    pub(crate) fn csr(&self) -> (&[usize], &[u32], &[i64]) {
        (&self.offsets, &self.needs, &self.costs)
    }
}

struct Token<'a> {
    text: &'a [u8],
    line: usize,
}

/// Whitespace tokenizer that tracks line numbers for error messages.
struct Lexer<'a> {
    s: &'a [u8],
    pos: usize,
    line: usize,
}

impl<'a> Lexer<'a> {
    #[inline]
    fn next(&mut self) -> Option<Token<'a>> {
        let s = self.s;
        let mut i = self.pos;
        while i < s.len() && s[i].is_ascii_whitespace() {
            if s[i] == b'\n' {
                self.line += 1;
            }
            i += 1;
        }
        if i == s.len() {
            self.pos = i;
            return None;
        }
        let start = i;
        while i < s.len() && !s[i].is_ascii_whitespace() {
            i += 1;
        }
        self.pos = i;
        Some(Token {
            text: &s[start..i],
            line: self.line,
        })
    }
}

/// Decimal digits only (no sign), `None` on anything else or overflow.
#[inline]
fn parse_u64(t: &[u8]) -> Option<u64> {
    if t.is_empty() || t.len() > 20 {
        return None;
    }
    let mut v: u64 = 0;
    for &b in t {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            return None;
        }
        v = v.checked_mul(10)?.checked_add(u64::from(d))?;
    }
    Some(v)
}

fn show(t: &[u8]) -> String {
    let s = String::from_utf8_lossy(&t[..t.len().min(40)]).into_owned();
    if t.len() > 40 {
        s + "…"
    } else {
        s
    }
}

fn invalid(tok: &Token<'_>, what: &'static str) -> InstanceError {
    InstanceError::InvalidNumber {
        at: Location::Line(tok.line),
        token: show(tok.text),
        what,
    }
}
