//! Which record of a cluster survives.

use std::str::FromStr;

use crate::error::{Error, Result};

/// The survivor policy. Ties are always broken by input order (the earliest record wins), so the choice is
/// deterministic whatever the number of threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum KeepPolicy {
    /// The earliest record of the cluster.
    #[default]
    First,
    /// The record with the longest text (UTF-8 bytes of the text as stored).
    Longest,
    /// The record with the shortest text.
    Shortest,
    /// The record with the highest score (a numeric quality column).
    MaxScore,
    /// The record with the lowest score.
    MinScore,
}

impl FromStr for KeepPolicy {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "first" => Ok(KeepPolicy::First),
            "longest" => Ok(KeepPolicy::Longest),
            "shortest" => Ok(KeepPolicy::Shortest),
            "max" => Ok(KeepPolicy::MaxScore),
            "min" => Ok(KeepPolicy::MinScore),
            other => Err(Error::InvalidArgument(format!(
                "unknown keep policy '{other}': expected first, longest, shortest, max or min"
            ))),
        }
    }
}

/// Picks the survivor among `members` (row numbers in input order). `lengths[row]` is the text length in
/// bytes; `scores[row]` the score, NaN when a record has none (it then never wins over a scored record).
pub fn choose(
    members: &[u32],
    policy: KeepPolicy,
    lengths: &[usize],
    scores: Option<&[f64]>,
) -> Result<u32> {
    let Some(&first) = members.iter().min() else {
        return Err(Error::InvalidArgument(
            "a cluster needs at least one member".into(),
        ));
    };
    let score = |row: u32| scores.map_or(f64::NAN, |values| values[row as usize]);
    if matches!(policy, KeepPolicy::MaxScore | KeepPolicy::MinScore) && scores.is_none() {
        return Err(Error::InvalidArgument(
            "keep max/min needs a score for every record".into(),
        ));
    }
    // Each policy is "the best key, then the earliest row": fold in input order, replace only when strictly
    // better.
    let mut ordered = members.to_vec();
    ordered.sort_unstable();
    let better = |candidate: u32, best: u32| -> bool {
        match policy {
            KeepPolicy::First => false,
            KeepPolicy::Longest => lengths[candidate as usize] > lengths[best as usize],
            KeepPolicy::Shortest => lengths[candidate as usize] < lengths[best as usize],
            KeepPolicy::MaxScore => {
                score(candidate) > score(best)
                    || (score(best).is_nan() && !score(candidate).is_nan())
            }
            KeepPolicy::MinScore => {
                score(candidate) < score(best)
                    || (score(best).is_nan() && !score(candidate).is_nan())
            }
        }
    };
    let mut best = first;
    for &row in &ordered[1..] {
        if better(row, best) {
            best = row;
        }
    }
    Ok(best)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_with_ties_broken_by_input_order() {
        let lengths = [5, 9, 2, 9, 2];
        let members = [4, 1, 3, 2, 0];
        assert_eq!(
            choose(&members, KeepPolicy::First, &lengths, None).unwrap(),
            0
        );
        assert_eq!(
            choose(&members, KeepPolicy::Longest, &lengths, None).unwrap(),
            1
        );
        assert_eq!(
            choose(&members, KeepPolicy::Shortest, &lengths, None).unwrap(),
            2
        );
        let scores = [0.5, f64::NAN, 0.9, 0.9, 0.1];
        assert_eq!(
            choose(&members, KeepPolicy::MaxScore, &lengths, Some(&scores)).unwrap(),
            2
        );
        assert_eq!(
            choose(&members, KeepPolicy::MinScore, &lengths, Some(&scores)).unwrap(),
            4
        );
    }

    #[test]
    fn missing_scores_never_win() {
        let scores = [f64::NAN, 0.2, f64::NAN];
        assert_eq!(
            choose(&[0, 1, 2], KeepPolicy::MaxScore, &[1, 1, 1], Some(&scores)).unwrap(),
            1
        );
        assert!(choose(&[0, 1], KeepPolicy::MaxScore, &[1, 1], None).is_err());
    }
}
