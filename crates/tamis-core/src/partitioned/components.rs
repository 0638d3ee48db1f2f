//! Stage 4: connected components of the link graph without holding it on one machine, by alternating
//! large-star and small-star rounds (Kiveris et al., "Connected Components in `MapReduce` and
//! Beyond", 2014: O(log² n) rounds). Each round groups the edges by one endpoint; every kernel here handles one
//! partition that holds all edges of the nodes it groups.
//!
//! Edges are `(src, dst)` pairs of row numbers. When neither kind of round changes anything, every
//! component is a star around its smallest row, which [`star_labels`] turns into labels.

use crate::cluster::DisjointSets;
use crate::error::{Error, Result};

/// The edges a round emits, oriented `(larger, smaller)`, and how many of its nodes changed the graph.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StarStep {
    pub src: Vec<u64>,
    pub dst: Vec<u64>,
    pub changed: u64,
}

/// Each node's component label (its smallest member), for the nodes that have edges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    pub row: Vec<u64>,
    pub root: Vec<u64>,
}

/// The neighbours of each node of the partition: `(node, sorted unique neighbours)`, self-loops dropped.
fn neighbourhoods(src: &[u64], dst: &[u64]) -> Result<Vec<(u64, Vec<u64>)>> {
    if src.len() != dst.len() {
        return Err(Error::InvalidArgument(format!(
            "{} edge sources but {} destinations",
            src.len(),
            dst.len()
        )));
    }
    let mut pairs: Vec<(u64, u64)> = src
        .iter()
        .zip(dst)
        .filter(|(a, b)| a != b)
        .map(|(&a, &b)| (a, b))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut groups: Vec<(u64, Vec<u64>)> = Vec::new();
    for (node, neighbour) in pairs {
        match groups.last_mut() {
            Some((last, neighbours)) if *last == node => neighbours.push(neighbour),
            _ => groups.push((node, vec![neighbour])),
        }
    }
    Ok(groups)
}

/// Large-star on edges grouped by `src` (each undirected edge given in both directions): every larger
/// neighbour of a node is linked to the smallest node of its neighbourhood.
pub fn large_star(src: &[u64], dst: &[u64]) -> Result<StarStep> {
    let mut step = StarStep::default();
    for (node, neighbours) in neighbourhoods(src, dst)? {
        let smallest = neighbours[0].min(node);
        let larger = neighbours.iter().filter(|&&v| v > node);
        let mut emitted = false;
        for &v in larger {
            step.src.push(v);
            step.dst.push(smallest);
            emitted = true;
        }
        if emitted && smallest != node {
            step.changed += 1;
        }
    }
    Ok(step)
}

/// Small-star on edges grouped by their larger end (`src > dst`): a node and its smaller neighbours are
/// all linked to the smallest of them.
pub fn small_star(src: &[u64], dst: &[u64]) -> Result<StarStep> {
    let mut step = StarStep::default();
    for (node, smaller) in neighbourhoods(src, dst)? {
        if smaller.iter().any(|&v| v > node) {
            return Err(Error::InvalidArgument(format!(
                "small-star edges must point from the larger row to the smaller; node {node} does not"
            )));
        }
        let smallest = smaller[0];
        for &v in smaller[1..].iter().chain(std::iter::once(&node)) {
            step.src.push(v);
            step.dst.push(smallest);
        }
        if smaller.len() > 1 {
            step.changed += 1;
        }
    }
    Ok(step)
}

/// Labels from converged star edges `(leaf, centre)`, grouped by centre: each leaf and the centre itself.
pub fn star_labels(leaf: &[u64], centre: &[u64]) -> Result<Labels> {
    let mut labels = Labels::default();
    for (centre, leaves) in neighbourhoods(centre, leaf)? {
        labels.row.push(centre);
        labels.root.push(centre);
        for leaf in leaves {
            labels.row.push(leaf);
            labels.root.push(centre);
        }
    }
    Ok(labels)
}

/// The same labels in one pass of union-find, for edge lists that fit one machine.
pub fn union_find_labels(a: &[u64], b: &[u64]) -> Result<Labels> {
    if a.len() != b.len() {
        return Err(Error::InvalidArgument(format!(
            "{} edge sources but {} destinations",
            a.len(),
            b.len()
        )));
    }
    let mut nodes: Vec<u64> = a.iter().chain(b).copied().collect();
    nodes.sort_unstable();
    nodes.dedup();
    let dense = |row: u64| nodes.binary_search(&row).unwrap_or_default() as u32;
    let mut sets = DisjointSets::new(nodes.len());
    for (&x, &y) in a.iter().zip(b) {
        sets.union(dense(x), dense(y));
    }
    // Roots are the smallest dense index, hence the smallest row, of each set.
    let root = sets
        .roots()
        .into_iter()
        .map(|root| nodes[root as usize])
        .collect();
    Ok(Labels { row: nodes, root })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Runs the rounds as a scheduler would, with `parts` partitions, until nothing changes.
    pub(crate) fn star_components(a: &[u64], b: &[u64], parts: u32) -> Labels {
        use super::super::partition_of;
        let group = |src: Vec<u64>, dst: Vec<u64>, by_src: bool| -> Vec<(Vec<u64>, Vec<u64>)> {
            let mut out = vec![(Vec::new(), Vec::new()); parts as usize];
            for (s, d) in src.into_iter().zip(dst) {
                let key = if by_src { s } else { d };
                let part = &mut out[partition_of(key, parts) as usize];
                part.0.push(s);
                part.1.push(d);
            }
            out
        };
        let (mut src, mut dst): (Vec<u64>, Vec<u64>) = (a.to_vec(), b.to_vec());
        loop {
            let both_src: Vec<u64> = src.iter().chain(&dst).copied().collect();
            let both_dst: Vec<u64> = dst.iter().chain(&src).copied().collect();
            let mut large = StarStep::default();
            for (s, d) in group(both_src, both_dst, true) {
                let step = large_star(&s, &d).unwrap();
                large.src.extend(step.src);
                large.dst.extend(step.dst);
                large.changed += step.changed;
            }
            let mut small = StarStep::default();
            for (s, d) in group(large.src, large.dst, true) {
                let step = small_star(&s, &d).unwrap();
                small.src.extend(step.src);
                small.dst.extend(step.dst);
                small.changed += step.changed;
            }
            (src, dst) = (small.src, small.dst);
            if large.changed == 0 && small.changed == 0 {
                break;
            }
        }
        let mut labels = Labels::default();
        for (s, d) in group(src, dst, false) {
            let part = star_labels(&s, &d).unwrap();
            labels.row.extend(part.row);
            labels.root.extend(part.root);
        }
        labels
    }

    fn as_map(labels: &Labels) -> HashMap<u64, u64> {
        let map: HashMap<u64, u64> = labels
            .row
            .iter()
            .copied()
            .zip(labels.root.iter().copied())
            .collect();
        assert_eq!(map.len(), labels.row.len(), "a node was labelled twice");
        map
    }

    #[test]
    fn stars_equal_union_find_on_random_graphs() {
        let mut state = 7u64;
        let mut next = |bound: u64| {
            state = crate::minhash::splitmix64(state);
            state % bound
        };
        for round in 0..40 {
            let nodes = 5 + next(200);
            let edges = next(nodes * 2);
            let (a, b): (Vec<u64>, Vec<u64>) = (0..edges)
                .map(|_| {
                    let (x, y) = (next(nodes) * 3, next(nodes) * 3);
                    (x.min(y), x.max(y))
                })
                .filter(|(x, y)| x != y)
                .unzip();
            let expected = as_map(&union_find_labels(&a, &b).unwrap());
            let parts = 1 + (round % 5) as u32;
            let got = as_map(&star_components(&a, &b, parts));
            assert_eq!(got, expected, "round {round}");
        }
    }

    #[test]
    fn a_long_path_converges_to_its_smallest_node() {
        let a: Vec<u64> = (0..500).rev().collect();
        let b: Vec<u64> = (1..501).rev().collect();
        let labels = as_map(&star_components(&a, &b, 4));
        assert_eq!(labels.len(), 501);
        assert!(labels.values().all(|&root| root == 0));
    }

    #[test]
    fn small_star_rejects_misoriented_edges() {
        assert!(small_star(&[1], &[5]).is_err());
        assert!(large_star(&[1, 2], &[5]).is_err());
    }
}
