//! Stage 5: the survivor of each cluster, from the members of the clusters held by one partition.

use crate::dedup::KeepPolicy;
use crate::dedup::survivor::choose;
use crate::error::{Error, Result};

/// `(cluster root, survivor row)` for every cluster whose members `(root[i], row[i])` are given, with
/// each member's text length in bytes and score (NaN for none; `None` when the policy needs no score).
/// The partition must hold all members of each cluster it has.
pub fn choose_survivors(
    root: &[u64],
    row: &[u64],
    length: &[u64],
    score: Option<&[f64]>,
    policy: KeepPolicy,
) -> Result<(Vec<u64>, Vec<u64>)> {
    let n = row.len();
    if root.len() != n || length.len() != n || score.is_some_and(|score| score.len() != n) {
        return Err(Error::InvalidArgument(
            "cluster members need one root, length (and score) per row".into(),
        ));
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_unstable_by_key(|&i| (root[i], row[i]));
    let (mut roots, mut survivors) = (Vec::new(), Vec::new());
    for cluster in order.chunk_by(|&x, &y| root[x] == root[y]) {
        // Members in row order, so that `choose`'s "earliest wins" ties follow row numbers.
        let lengths: Vec<usize> = cluster.iter().map(|&i| length[i] as usize).collect();
        let scores: Option<Vec<f64>> =
            score.map(|score| cluster.iter().map(|&i| score[i]).collect());
        let members: Vec<u32> = (0..cluster.len() as u32).collect();
        let best = choose(&members, policy, &lengths, scores.as_deref())?;
        roots.push(root[cluster[0]]);
        survivors.push(row[cluster[best as usize]]);
    }
    Ok((roots, survivors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_cluster_gets_its_policy_survivor_with_ties_to_the_earliest_row() {
        // Cluster 3: rows 3, 8, 9 (8 and 9 longest, tie -> 8); cluster 1: rows 1, 4.
        let root = [3, 1, 3, 3, 1];
        let row = [9, 4, 3, 8, 1];
        let length = [50, 10, 20, 50, 10];
        let (roots, survivors) =
            choose_survivors(&root, &row, &length, None, KeepPolicy::Longest).unwrap();
        assert_eq!(roots, [1, 3]);
        assert_eq!(survivors, [1, 8]);
        let (_, first) = choose_survivors(&root, &row, &length, None, KeepPolicy::First).unwrap();
        assert_eq!(first, [1, 3]);
        let score = [0.1, 0.9, f64::NAN, 0.5, 0.2];
        let (_, best) =
            choose_survivors(&root, &row, &length, Some(&score), KeepPolicy::MaxScore).unwrap();
        assert_eq!(best, [4, 8]);
    }

    #[test]
    fn mismatched_columns_are_an_error() {
        assert!(choose_survivors(&[1], &[1, 2], &[1, 1], None, KeepPolicy::First).is_err());
    }
}
