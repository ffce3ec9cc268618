//! Identity numbers for the synthetic city, derived from the index by a
//! bijection so they are unique without any shared state.
//!
//! The chain is `index → slot → (kind, age band, birth date, serial)`:
//!
//! 1. A seed-keyed Feistel permutation with cycle walking maps the index
//!    space `0..INDEX_SPACE` onto itself, so neighbouring indices get
//!    unrelated slots and any prefix of indices samples every band evenly.
//! 2. The first [`SAMORDNING_SLOTS`] slots are samordningsnummer, the rest
//!    personnummer. Each kind's slots are cut into one contiguous range per
//!    age in years, sized by [`AGE_WEIGHTS`]; that is what makes the caseload
//!    youth-heavy without a random draw that could collide.
//! 3. Inside an age band, `offset % days` picks the birth date and
//!    `offset / days` a rank, which a per-day affine bijection on `0..999`
//!    turns into the serial `001..=999`.
//!
//! Each step is injective, so two indices below [`INDEX_SPACE`] never share
//! a number for the same seed and `today`.

use chrono::{Datelike, Days, Months, NaiveDate};
use vagar_domain::identity::{luhn_check_digit, IdentityNumber};

/// Indices must be below this; the CLI's `--size` is capped by it.
pub const INDEX_SPACE: u64 = 10_000_000;

/// About 3 % of the slots are samordningsnummer (people newly arrived who
/// are not yet folkbokförda).
pub(crate) const SAMORDNING_SLOTS: u64 = 300_000;
const PERSONNUMMER_SLOTS: u64 = INDEX_SPACE - SAMORDNING_SLOTS;

pub(crate) const MIN_AGE: u32 = 16;
pub(crate) const MAX_AGE: u32 = 66;
const AGES: usize = (MAX_AGE - MIN_AGE + 1) as usize;

/// Relative weight of each age in years, 16 first. A municipal
/// labour-market caseload is dominated by 18–35-year-olds; 16–17 appear
/// through the municipal activity responsibility (KAA), and the tail thins
/// out toward pension age.
///
/// The heaviest weight must still fit one year's personnummer capacity
/// (365 days × 999 serials); the const assertion below checks it.
const AGE_WEIGHTS: [u64; AGES] = [
    2, 4, // 16–17
    14, 14, // 18–19
    15, 15, 15, 15, 15, 15, 15, 15, 15, 15, // 20–29
    12, 12, 12, 12, 12, 12, // 30–35
    8, 8, 8, 8, 8, 8, 8, 8, 8, // 36–44
    6, 6, 6, 6, 6, 6, 6, 6, 6, 6, // 45–54
    5, 5, 5, 5, 5, 5, 5, // 55–61
    3, 3, 3, 3, 3, // 62–66
];

/// Serials 001–999 (000 is never issued).
const SERIALS: u64 = 999;
/// Multiplier of the per-day serial bijection; coprime to 999 = 3³·37.
const SERIAL_STRIDE: u64 = 241;

/// `cum[i]` is the first slot of age `MIN_AGE + i`; `cum[AGES] == total`.
const fn cumulative(total: u64) -> [u64; AGES + 1] {
    let mut sum = 0;
    let mut i = 0;
    while i < AGES {
        sum += AGE_WEIGHTS[i];
        i += 1;
    }
    let mut cum = [0u64; AGES + 1];
    let mut acc = 0;
    let mut i = 0;
    while i < AGES {
        acc += AGE_WEIGHTS[i];
        cum[i + 1] = total * acc / sum;
        i += 1;
    }
    cum
}

const fn max_band(cum: &[u64; AGES + 1]) -> u64 {
    let mut max = 0;
    let mut i = 0;
    while i < AGES {
        let cap = cum[i + 1] - cum[i];
        if cap > max {
            max = cap;
        }
        i += 1;
    }
    max
}

static PERSONNUMMER_CUM: [u64; AGES + 1] = cumulative(PERSONNUMMER_SLOTS);
static SAMORDNING_CUM: [u64; AGES + 1] = cumulative(SAMORDNING_SLOTS);

// Every band must fit its shortest possible year, or ranks would exceed the
// serial space and numbers would repeat.
const _: () = assert!(max_band(&cumulative(PERSONNUMMER_SLOTS)) <= 365 * SERIALS);
const _: () = assert!(max_band(&cumulative(SAMORDNING_SLOTS)) <= 365 * SERIALS);

/// SplitMix64's finaliser: a cheap, well-mixed 64-bit hash.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const ROUNDS: usize = 6;
/// 2^24 ≥ INDEX_SPACE; the Feistel network runs on two 12-bit halves.
const HALF_BITS: u32 = 12;
const HALF_MASK: u64 = (1 << HALF_BITS) - 1;

fn round_keys(seed: u64) -> [u64; ROUNDS] {
    let mut keys = [0; ROUNDS];
    for (i, k) in keys.iter_mut().enumerate() {
        *k = mix64(seed ^ mix64(0x5eed_0000 + i as u64));
    }
    keys
}

fn feistel(keys: &[u64; ROUNDS], x: u64) -> u64 {
    let (mut l, mut r) = (x >> HALF_BITS, x & HALF_MASK);
    for &k in keys {
        let f = mix64(r ^ k) & HALF_MASK;
        (l, r) = (r, l ^ f);
    }
    (l << HALF_BITS) | r
}

/// Seed-keyed permutation of `0..INDEX_SPACE`. A Feistel network is a
/// permutation of `0..2^24`; cycle walking (re-applying it until the value
/// lands inside the space) restricts it to a permutation of the space.
pub(crate) fn permute(seed: u64, index: u64) -> u64 {
    assert!(index < INDEX_SPACE, "index must be below {INDEX_SPACE}");
    let keys = round_keys(seed);
    let mut x = index;
    loop {
        x = feistel(&keys, x);
        if x < INDEX_SPACE {
            return x;
        }
    }
}

/// The identity part of a synthetic person.
pub(crate) struct Birth {
    pub number: IdentityNumber,
    pub samordning: bool,
    /// Second-to-last digit odd: issued to a man.
    pub odd_serial: bool,
    pub age: u32,
    pub birth_date: NaiveDate,
}

/// `date` minus `years` whole years; 29 February becomes 28 February, which
/// matches [`IdentityNumber::age_on`]'s (month, day) comparison.
fn years_before(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(12 * years))
        .expect("today is a realistic date")
}

/// The unique identity number for `index` under `seed`, aged 16–66 on `today`.
pub(crate) fn birth(seed: u64, index: u64, today: NaiveDate) -> Birth {
    let slot = permute(seed, index);
    let (samordning, offset, cum) = if slot < SAMORDNING_SLOTS {
        (true, slot, &SAMORDNING_CUM)
    } else {
        (false, slot - SAMORDNING_SLOTS, &PERSONNUMMER_CUM)
    };
    let band = cum.partition_point(|&c| c <= offset) - 1;
    let age = MIN_AGE + band as u32;
    let within = offset - cum[band];

    // Born in (today − (age+1) years, today − age years]: exactly those
    // with `age_on(today) == age`.
    let youngest = years_before(today, age);
    let oldest = years_before(today, age + 1) + Days::new(1);
    let days = (youngest - oldest).num_days() as u64 + 1;
    let birth_date = oldest + Days::new(within % days);
    let rank = within / days;
    debug_assert!(rank < SERIALS);

    // Scramble ranks into serials per day so the numbers do not run 001,
    // 002, … and parity (gender) is balanced for any number of people.
    let day_key =
        mix64(seed ^ (birth_date.num_days_from_ce() as u64) ^ ((samordning as u64) << 40));
    let serial = 1 + (rank * SERIAL_STRIDE + day_key % SERIALS) % SERIALS;

    let year = birth_date.year() as u32;
    let day = birth_date.day() + if samordning { 60 } else { 0 };
    let mut nine = [0u8; 9];
    for (i, part) in [year % 100, birth_date.month(), day]
        .into_iter()
        .enumerate()
    {
        nine[2 * i] = (part / 10) as u8;
        nine[2 * i + 1] = (part % 10) as u8;
    }
    nine[6] = (serial / 100) as u8;
    nine[7] = (serial / 10 % 10) as u8;
    nine[8] = (serial % 10) as u8;
    let check = luhn_check_digit(&nine);

    let mut canonical = [0u8; 12];
    canonical[0] = b'0' + (year / 1000 % 10) as u8;
    canonical[1] = b'0' + (year / 100 % 10) as u8;
    for (c, d) in canonical[2..11].iter_mut().zip(nine) {
        *c = b'0' + d;
    }
    canonical[11] = b'0' + check;
    let canonical = std::str::from_utf8(&canonical).expect("ASCII digits");
    let number = IdentityNumber::from_canonical(canonical)
        .expect("a generated identity number is valid by construction");
    Birth {
        number,
        samordning,
        odd_serial: serial % 2 == 1,
        age,
        birth_date,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_cover_the_space_and_fit_a_year() {
        assert_eq!(PERSONNUMMER_CUM[AGES], PERSONNUMMER_SLOTS);
        assert_eq!(SAMORDNING_CUM[AGES], SAMORDNING_SLOTS);
        for cum in [&PERSONNUMMER_CUM, &SAMORDNING_CUM] {
            for w in cum.windows(2) {
                assert!(w[0] < w[1], "every age has people");
                assert!(w[1] - w[0] <= 365 * SERIALS);
            }
        }
    }

    #[test]
    fn serial_map_is_a_bijection() {
        let mut seen = [false; SERIALS as usize];
        for rank in 0..SERIALS {
            let s = (rank * SERIAL_STRIDE + 123) % SERIALS;
            assert!(!seen[s as usize]);
            seen[s as usize] = true;
        }
    }

    /// The whole index space, for two seeds: the permutation hits every slot
    /// exactly once. A bitset keeps this cheap.
    #[test]
    fn permutation_is_a_bijection_on_the_whole_space() {
        for seed in [0, 0xdead_beef] {
            let mut bits = vec![0u64; (INDEX_SPACE as usize).div_ceil(64)];
            for i in 0..INDEX_SPACE {
                let p = permute(seed, i);
                assert!(p < INDEX_SPACE);
                let (w, b) = ((p / 64) as usize, p % 64);
                assert!(bits[w] & (1 << b) == 0, "slot {p} hit twice");
                bits[w] |= 1 << b;
            }
        }
    }

    #[test]
    fn ages_match_bands_on_leap_days() {
        for today in [
            NaiveDate::from_ymd_opt(2028, 2, 29).unwrap(),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap(),
            NaiveDate::from_ymd_opt(2027, 3, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        ] {
            for i in 0..5_000 {
                let b = birth(7, i * 1_999, today);
                assert_eq!(b.number.age_on(today), b.age);
                assert_eq!(b.number.birth_date(), b.birth_date);
                assert!((MIN_AGE..=MAX_AGE).contains(&b.age));
            }
        }
    }
}
