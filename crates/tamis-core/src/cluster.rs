//! Connected components of the verified-similarity graph (union-find).

/// Disjoint sets over `0..n`. The representative of a set is always its smallest member, so components are
/// named the same way whatever order the edges arrive in.
#[derive(Debug, Clone)]
pub struct DisjointSets {
    parent: Vec<u32>,
}

impl DisjointSets {
    pub fn new(n: usize) -> Self {
        DisjointSets {
            parent: (0..n as u32).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.parent.len()
    }

    pub fn is_empty(&self) -> bool {
        self.parent.is_empty()
    }

    /// The smallest member of `x`'s set (with path halving, so repeated finds stay near O(1)).
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grandparent = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grandparent;
            x = grandparent;
        }
        x
    }

    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Linking the larger root under the smaller keeps "root = smallest member".
            let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[high as usize] = low;
        }
    }

    /// The root of every element.
    pub fn roots(&mut self) -> Vec<u32> {
        (0..self.parent.len() as u32)
            .map(|x| self.find(x))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn components_are_named_by_their_smallest_member() {
        let mut sets = DisjointSets::new(7);
        for (a, b) in [(5, 3), (3, 6), (1, 2), (6, 4)] {
            sets.union(a, b);
        }
        assert_eq!(sets.roots(), [0, 1, 1, 3, 3, 3, 3]);
    }

    #[test]
    fn edge_order_does_not_matter() {
        let edges = [(9u32, 1u32), (4, 7), (7, 9), (2, 8), (8, 0)];
        let mut forward = DisjointSets::new(10);
        let mut backward = DisjointSets::new(10);
        for &(a, b) in &edges {
            forward.union(a, b);
        }
        for &(a, b) in edges.iter().rev() {
            backward.union(b, a);
        }
        assert_eq!(forward.roots(), backward.roots());
    }
}
