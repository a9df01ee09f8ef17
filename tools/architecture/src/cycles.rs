//! Circles in an import graph: strongly connected components of more than one file (Tarjan's
//! algorithm, iterative so a deep tree cannot overflow the stack).

use crate::graph::CrateGraph;

/// Each group of files that import each other, directly or around a loop (file indices, sorted).
pub fn circles(graph: &CrateGraph) -> Vec<Vec<usize>> {
    let n = graph.files.len();
    let mut next: Vec<Vec<usize>> = vec![Vec::new(); n];
    for import in &graph.imports {
        next[import.from].push(import.to);
    }
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut counter = 0;
    let mut out = Vec::new();
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        // (node, position in its successor list)
        let mut work = vec![(start, 0usize)];
        while let Some(&(v, pos)) = work.last() {
            if pos == 0 && index[v] == usize::MAX {
                index[v] = counter;
                low[v] = counter;
                counter += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = next[v].get(pos) {
                if let Some(top) = work.last_mut() {
                    top.1 += 1;
                }
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut group = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    group.push(w);
                    if w == v {
                        break;
                    }
                }
                if group.len() > 1 {
                    group.sort_unstable();
                    out.push(group);
                }
            }
        }
    }
    out
}
