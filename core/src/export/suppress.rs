//! Disclosure control for a set of linked count tables.
//!
//! Every published table is a "cube": a table of counts over one or more
//! dimensions, published with all its margins. Each dimension gets one
//! extra index, `ALL`, standing for the total over that dimension, so a
//! 3-dimensional table of `a × b × c` cells publishes `(a+1)(b+1)(c+1)`
//! values. All cubes of one export share a single grand total (the
//! all-`ALL` cell), which is one variable here: it is published once, or
//! suppressed everywhere.
//!
//! The attacker knows every published value and every *line*: fixing all
//! coordinates but one, the cells along that dimension sum to the `ALL`
//! cell at its end. [`suppress`] hides values so that no hidden value is
//! fixed by those equations:
//!
//! 1. primary: every value with `0 < n < k` is hidden;
//! 2. complementary, line rule (to a fixed point): in every line with
//!    exactly one hidden value, hide the smallest non-zero published member
//!    too, or the line's total when no member is left;
//! 3. audit and repair: every hidden value must lie in a hidden *box* (see
//!    below); one that does not gets the cheapest box completed around it,
//!    and steps 2 and 3 repeat until nothing changes.
//!
//! A box is a certificate that a hidden value can move. Pick, for each
//! dimension, two indices: either two ordinary values `{i, i'}` (signs
//! `+1, -1`) or a value and `ALL` (`{i, ALL}`, signs `+1, +1`). Adding the
//! product of the signs to each of the `2^N` corners keeps every line sum
//! true. A box whose pairs all include `ALL` changes the grand total, so it
//! must be matched by such a box in every other cube (a *global* move),
//! or cancelled by subtracting the same kind of box above another full cell
//! of the same cube (a *pair* move: corners the two boxes share cancel).
//! When every corner of a box is hidden, the attacker cannot tell the true
//! values from the values plus or minus the box: since hidden values are
//! never zero (zeros are published), all three are non-negative integers,
//! so every hidden value has at least two (in fact three) possible values.

use std::collections::BTreeSet;

/// One published line: `members` sum to `total`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Line {
    /// The member variables, in index order.
    pub(crate) members: Vec<usize>,
    /// The variable holding their sum.
    pub(crate) total: usize,
}

/// A table over one or more dimensions, with every margin.
#[derive(Debug, Clone)]
pub(crate) struct Cube {
    /// Number of ordinary values in each dimension; index `sizes[d]` is `ALL`.
    sizes: Vec<usize>,
    /// The variable of each extended cell, row-major over `sizes[d] + 1`.
    vars: Vec<usize>,
}

impl Cube {
    /// Number of dimensions.
    pub(crate) fn dims(&self) -> usize {
        self.sizes.len()
    }

    /// Number of ordinary values of dimension `d` (its `ALL` index).
    pub(crate) fn size(&self, d: usize) -> usize {
        self.sizes[d]
    }

    /// Number of extended cells (margins included).
    pub(crate) fn len(&self) -> usize {
        self.vars.len()
    }

    /// Row-major index of extended coordinates.
    pub(crate) fn index(&self, coords: &[usize]) -> usize {
        coords
            .iter()
            .zip(&self.sizes)
            .fold(0, |acc, (&c, &n)| acc * (n + 1) + c)
    }

    /// Extended coordinates of a row-major index.
    pub(crate) fn coords(&self, mut index: usize) -> Vec<usize> {
        let mut coords = vec![0; self.sizes.len()];
        for d in (0..self.sizes.len()).rev() {
            let ext = self.sizes[d] + 1;
            coords[d] = index % ext;
            index /= ext;
        }
        coords
    }

    /// The variable at extended coordinates.
    pub(crate) fn var(&self, coords: &[usize]) -> usize {
        self.vars[self.index(coords)]
    }

    /// Whether `coords` is a full cell (no `ALL`).
    fn is_full(&self, coords: &[usize]) -> bool {
        coords.iter().zip(&self.sizes).all(|(&c, &n)| c < n)
    }

    /// The `2^N` corners of the box with `p[d]` and `q[d]` in dimension `d`.
    fn corners(&self, p: &[usize], q: &[usize]) -> Vec<usize> {
        let n = p.len();
        let mut out = Vec::with_capacity(1 << n);
        let mut coords = vec![0; n];
        for mask in 0..(1usize << n) {
            for d in 0..n {
                coords[d] = if mask & (1 << d) == 0 { p[d] } else { q[d] };
            }
            out.push(self.var(&coords));
        }
        out
    }

    /// The corners of the global box above full cell `c`: `c` and all its
    /// margins (each subset of coordinates replaced by `ALL`).
    fn ancestors(&self, c: &[usize]) -> Vec<usize> {
        let all: Vec<usize> = self.sizes.clone();
        self.corners(c, &all)
    }
}

/// A grand total mismatch between two tables of one export.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TotalMismatch;

/// Linked tables: every cube's all-`ALL` cell is the same variable.
#[derive(Debug, Clone)]
pub(crate) struct Linked {
    values: Vec<u64>,
    /// Cost factor of hiding each value: 8 to the power of its number of
    /// `ALL` coordinates, so repairs hide cells before margins and margins
    /// before totals.
    scale: Vec<u64>,
    cubes: Vec<Cube>,
    grand: usize,
}

impl Default for Linked {
    fn default() -> Self {
        Self::new()
    }
}

impl Linked {
    /// No tables yet; variable 0 is the grand total.
    pub(crate) fn new() -> Self {
        Self {
            values: vec![0],
            scale: vec![1],
            cubes: Vec::new(),
            grand: 0,
        }
    }

    /// Add a table from the counts of its full cells (row-major over
    /// `sizes`, every size at least 1); margins are computed here. Every
    /// table must have the same grand total. Returns the cube's number.
    pub(crate) fn add_cube(
        &mut self,
        sizes: &[usize],
        cells: &[u64],
    ) -> Result<usize, TotalMismatch> {
        debug_assert!(!sizes.is_empty() && sizes.iter().all(|&n| n >= 1));
        debug_assert_eq!(cells.len(), sizes.iter().product::<usize>());
        let total = cells.iter().fold(0u64, |acc, n| acc.saturating_add(*n));
        if !self.cubes.is_empty() && self.values[self.grand] != total {
            return Err(TotalMismatch);
        }
        self.values[self.grand] = total;
        let ext_len: usize = sizes.iter().map(|n| n + 1).product();
        let mut cube = Cube {
            sizes: sizes.to_vec(),
            vars: Vec::with_capacity(ext_len),
        };
        let all_index = cube.index(sizes);
        for index in 0..ext_len {
            let level = cube
                .coords(index)
                .iter()
                .zip(sizes)
                .filter(|(c, n)| c == n)
                .count();
            let scale = 8u64.pow(u32::try_from(level).unwrap_or(u32::MAX).min(20));
            if index == all_index {
                cube.vars.push(self.grand);
                self.scale[self.grand] = self.scale[self.grand].max(scale);
            } else {
                cube.vars.push(self.values.len());
                self.values.push(0);
                self.scale.push(scale);
            }
        }
        // Each full cell adds its count to itself and to all its margins.
        let mut full = vec![0usize; sizes.len()];
        for &count in cells {
            if count > 0 {
                for var in cube.ancestors(&full) {
                    if var != self.grand {
                        self.values[var] = self.values[var].saturating_add(count);
                    }
                }
            }
            // Next full cell, row-major.
            for d in (0..sizes.len()).rev() {
                full[d] += 1;
                if full[d] < sizes[d] {
                    break;
                }
                full[d] = 0;
            }
        }
        self.cubes.push(cube);
        Ok(self.cubes.len() - 1)
    }

    /// Every variable's true value.
    pub(crate) fn values(&self) -> &[u64] {
        &self.values
    }

    /// The tables.
    pub(crate) fn cubes(&self) -> &[Cube] {
        &self.cubes
    }

    /// The grand total's variable.
    pub(crate) fn grand(&self) -> usize {
        self.grand
    }

    /// Every line of every table (the attacker's equations).
    pub(crate) fn lines(&self) -> Vec<Line> {
        let mut lines = Vec::new();
        for cube in &self.cubes {
            for d in 0..cube.dims() {
                for index in 0..cube.len() {
                    let mut coords = cube.coords(index);
                    if coords[d] != 0 {
                        continue;
                    }
                    let members = (0..cube.size(d))
                        .map(|i| {
                            coords[d] = i;
                            cube.var(&coords)
                        })
                        .collect();
                    coords[d] = cube.size(d);
                    lines.push(Line {
                        members,
                        total: cube.var(&coords),
                    });
                }
            }
        }
        lines
    }
}

/// Hide values of `tables` so that none has `0 < n < k` and none can be
/// worked out exactly from the published values (see the module
/// documentation). Returns, per variable, whether it is hidden. Zeros are
/// never hidden.
pub(crate) fn suppress(tables: &Linked, k: u64) -> Vec<bool> {
    let values = tables.values();
    let mut hidden: Vec<bool> = values.iter().map(|&n| n > 0 && n < k).collect();
    let lines = tables.lines();
    loop {
        line_rule(values, &lines, &mut hidden);
        if !repair(tables, &mut hidden) {
            break;
        }
    }
    hidden
}

/// Step 2: until stable, no line has exactly one hidden value.
fn line_rule(values: &[u64], lines: &[Line], hidden: &mut [bool]) {
    loop {
        let mut changed = false;
        for line in lines {
            let count = line.members.iter().filter(|&&v| hidden[v]).count()
                + usize::from(hidden[line.total]);
            if count != 1 {
                continue;
            }
            let next = line
                .members
                .iter()
                .copied()
                .filter(|&v| !hidden[v] && values[v] > 0)
                .min_by_key(|&v| (values[v], v));
            match next {
                Some(v) => hidden[v] = true,
                None if !hidden[line.total] && values[line.total] > 0 => {
                    hidden[line.total] = true;
                }
                None => continue,
            }
            changed = true;
        }
        if !changed {
            break;
        }
    }
}

/// Where global moves are possible: per cube, the extended cells covered by
/// a fully hidden global box.
struct Global {
    covered: Vec<Vec<bool>>,
    every_cube: bool,
}

impl Global {
    fn new(tables: &Linked, hidden: &[bool]) -> Self {
        let mut covered = Vec::with_capacity(tables.cubes.len());
        let mut every_cube = hidden[tables.grand];
        for cube in &tables.cubes {
            let mut marks = vec![false; cube.len()];
            let mut any = false;
            for index in 0..cube.len() {
                let c = cube.coords(index);
                if !cube.is_full(&c) {
                    continue;
                }
                let corners = cube.ancestors(&c);
                if corners.iter().all(|&v| hidden[v]) {
                    any = true;
                    for (mask, _) in corners.iter().enumerate() {
                        marks[cube.index(&mask_coords(&c, cube, mask))] = true;
                    }
                }
            }
            every_cube &= any;
            covered.push(marks);
        }
        Self {
            covered,
            every_cube,
        }
    }
}

/// The coordinates of corner `mask` of the global box above `c`.
fn mask_coords(c: &[usize], cube: &Cube, mask: usize) -> Vec<usize> {
    c.iter()
        .enumerate()
        .map(|(d, &x)| {
            if mask & (1 << d) == 0 {
                x
            } else {
                cube.size(d)
            }
        })
        .collect()
}

/// Whether extended cell `p` of `cube` lies in a fully hidden local box
/// (one that leaves the grand total alone).
fn local_box(cube: &Cube, p: &[usize], hidden: &[bool]) -> bool {
    let n = p.len();
    // Partners in each dimension: the neighbour along it must be hidden.
    let mut partners: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut q = p.to_vec();
    for d in 0..n {
        let list: Vec<usize> = (0..=cube.size(d))
            .filter(|&x| {
                x != p[d] && {
                    q[d] = x;
                    let v = cube.var(&q);
                    q[d] = p[d];
                    hidden[v]
                }
            })
            .collect();
        if list.is_empty() {
            return false;
        }
        partners.push(list);
    }
    let mut found = false;
    for_each_choice(&partners, |q| {
        let local = (0..n).any(|d| p[d] < cube.size(d) && q[d] < cube.size(d));
        if local && cube.corners(p, q).iter().all(|&v| hidden[v]) {
            found = true;
        }
        found
    });
    found
}

/// Call `f` on every choice of one entry per list until it returns true.
fn for_each_choice(lists: &[Vec<usize>], mut f: impl FnMut(&[usize]) -> bool) {
    if lists.iter().any(Vec::is_empty) {
        return;
    }
    let mut at = vec![0usize; lists.len()];
    let mut choice: Vec<usize> = lists.iter().map(|l| l[0]).collect();
    loop {
        if f(&choice) {
            return;
        }
        let mut d = lists.len();
        loop {
            if d == 0 {
                return;
            }
            d -= 1;
            at[d] += 1;
            if at[d] < lists[d].len() {
                choice[d] = lists[d][at[d]];
                break;
            }
            at[d] = 0;
            choice[d] = lists[d][0];
        }
    }
}

/// Cost of hiding the not yet hidden values among `vars` (None if one of
/// them is zero: zeros are published, so such a box cannot be used).
fn cost(values: &[u64], scale: &[u64], hidden: &[bool], vars: &[usize]) -> Option<u64> {
    let mut sum = 0u64;
    for &v in vars {
        if values[v] == 0 {
            return None;
        }
        if !hidden[v] {
            sum = sum.saturating_add(values[v].saturating_add(1).saturating_mul(scale[v]));
        }
    }
    Some(sum)
}

/// The cheapest local box around `p` (its corners), if any.
fn cheapest_local(
    cube: &Cube,
    p: &[usize],
    values: &[u64],
    scale: &[u64],
    hidden: &[bool],
) -> Option<(u64, Vec<usize>)> {
    let n = p.len();
    let mut partners: Vec<Vec<usize>> = Vec::with_capacity(n);
    let mut q = p.to_vec();
    for d in 0..n {
        let list: Vec<usize> = (0..=cube.size(d))
            .filter(|&x| {
                x != p[d] && {
                    q[d] = x;
                    let v = cube.var(&q);
                    q[d] = p[d];
                    values[v] > 0
                }
            })
            .collect();
        partners.push(list);
    }
    let mut best: Option<(u64, Vec<usize>)> = None;
    for_each_choice(&partners, |q| {
        let local = (0..n).any(|d| p[d] < cube.size(d) && q[d] < cube.size(d));
        if local {
            let corners = cube.corners(p, q);
            if let Some(c) = cost(values, scale, hidden, &corners)
                && best.as_ref().is_none_or(|(b, _)| c < *b)
            {
                best = Some((c, corners));
            }
        }
        false
    });
    best
}

/// The cheapest global box of `cube` whose full cell lies under `p` (any
/// full cell when `p` is `None`).
fn cheapest_global_in(
    cube: &Cube,
    p: Option<&[usize]>,
    values: &[u64],
    scale: &[u64],
    hidden: &[bool],
    grand: usize,
) -> Option<(u64, Vec<usize>)> {
    let mut best: Option<(u64, Vec<usize>)> = None;
    for index in 0..cube.len() {
        let c = cube.coords(index);
        if !cube.is_full(&c) || values[cube.var(&c)] == 0 {
            continue;
        }
        if let Some(p) = p
            && p.iter()
                .zip(&c)
                .enumerate()
                .any(|(d, (&pd, &cd))| pd < cube.size(d) && pd != cd)
        {
            continue;
        }
        let corners: Vec<usize> = cube
            .ancestors(&c)
            .into_iter()
            .filter(|&v| v != grand)
            .collect();
        if let Some(cost) = cost(values, scale, hidden, &corners)
            && best.as_ref().is_none_or(|(b, _)| cost < *b)
        {
            best = Some((cost, corners));
        }
    }
    best
}

/// The cheapest global move through extended cell `p` of cube `at`
/// (through the grand total when `at` is `None`).
fn cheapest_global(
    tables: &Linked,
    at: Option<(usize, &[usize])>,
    hidden: &[bool],
) -> Option<(u64, Vec<usize>)> {
    let values = &tables.values;
    let grand = tables.grand;
    let mut total = cost(values, &tables.scale, hidden, &[grand])?;
    let mut vars = vec![grand];
    for (i, cube) in tables.cubes.iter().enumerate() {
        let p = match at {
            Some((cube_at, p)) if cube_at == i => Some(p),
            _ => None,
        };
        let (cost, corners) = cheapest_global_in(cube, p, values, &tables.scale, hidden, grand)?;
        total = total.saturating_add(cost);
        vars.extend(corners);
    }
    Some((total, vars))
}

/// Pair moves: adding the global box above one full cell and subtracting
/// the one above another leaves the grand total (and so every other table)
/// alone. Per cube: how many fully hidden full cells lie under each
/// extended cell, and how many there are in all.
struct Pairs {
    under: Vec<Vec<u32>>,
    all: Vec<u32>,
}

impl Pairs {
    fn new(tables: &Linked, hidden: &[bool]) -> Self {
        let mut under = Vec::with_capacity(tables.cubes.len());
        let mut all = Vec::with_capacity(tables.cubes.len());
        for cube in &tables.cubes {
            let mut counts = vec![0u32; cube.len()];
            let mut total = 0;
            for index in 0..cube.len() {
                let c = cube.coords(index);
                if !cube.is_full(&c) {
                    continue;
                }
                let corners = cube.ancestors(&c);
                if corners.iter().all(|&v| v == tables.grand || hidden[v]) {
                    total += 1;
                    for mask in 0..corners.len() {
                        counts[cube.index(&mask_coords(&c, cube, mask))] += 1;
                    }
                }
            }
            under.push(counts);
            all.push(total);
        }
        Self { under, all }
    }

    /// Whether extended cell `index` of cube `i` lies in a fully hidden pair
    /// move: a hidden full cell under it, and another not under it.
    fn covers(&self, i: usize, index: usize) -> bool {
        let n = self.under[i][index];
        n >= 1 && n < self.all[i]
    }
}

/// The cheapest pair move of `cube` with `p` in it: the global box above a
/// full cell under `p` minus the one above a full cell not under `p`; the
/// corners they share cancel out.
fn cheapest_pair(
    cube: &Cube,
    full: &[(Vec<usize>, Vec<usize>)],
    p: &[usize],
    values: &[u64],
    scale: &[u64],
    hidden: &[bool],
    grand: usize,
) -> Option<(u64, Vec<usize>)> {
    let under_p = |c: &[usize]| {
        p.iter()
            .zip(c)
            .enumerate()
            .all(|(d, (&pd, &cd))| pd == cube.size(d) || pd == cd)
    };
    // The cheapest full cell under p to hide with all its margins.
    let mine = &full
        .iter()
        .filter(|(c, _)| under_p(c))
        .filter_map(|(_, corners)| cost(values, scale, hidden, corners).map(|k| (k, corners)))
        .min_by_key(|(k, _)| *k)?
        .1;
    // Cost of the corners of `mine` that `theirs` does not share: counted
    // once here, then only the partner's own corners are added below.
    let price = |v: usize| {
        if hidden[v] {
            0
        } else {
            values[v].saturating_add(1).saturating_mul(scale[v])
        }
    };
    let mut best: Option<(u64, &[usize])> = None;
    for (_, theirs) in full.iter().filter(|(c, _)| !under_p(c)) {
        // Every corner is non-zero: each lies above a non-zero full cell.
        let mut k = 0u64;
        for v in own(mine, theirs, grand).chain(own(theirs, mine, grand)) {
            k = k.saturating_add(price(v));
            if best.is_some_and(|(b, _)| k >= b) {
                break;
            }
        }
        if best.is_none_or(|(b, _)| k < b) {
            best = Some((k, theirs));
            if k == 0 {
                break;
            }
        }
    }
    best.map(|(k, theirs)| {
        let moved = own(mine, theirs, grand).chain(own(theirs, mine, grand));
        (k, moved.collect())
    })
}

/// The corners of one box that another does not share (the grand total
/// aside): what a pair move changes.
fn own<'a>(
    corners: &'a [usize],
    other: &'a [usize],
    grand: usize,
) -> impl Iterator<Item = usize> + 'a {
    corners
        .iter()
        .copied()
        .filter(move |&v| v != grand && !other.contains(&v))
}

/// Step 3: give every hidden value without a hidden box the cheapest one.
/// Returns whether anything more was hidden.
fn repair(tables: &Linked, hidden: &mut [bool]) -> bool {
    let mut changed = false;
    let mut global = Global::new(tables, hidden);
    let mut pairs = Pairs::new(tables, hidden);
    // The grand total first: it can only move globally.
    if hidden[tables.grand]
        && !global.every_cube
        && let Some((_, vars)) = cheapest_global(tables, None, hidden)
    {
        for v in vars {
            hidden[v] = true;
        }
        changed = true;
        global = Global::new(tables, hidden);
        pairs = Pairs::new(tables, hidden);
    }
    // Non-zero full cells of each cube with the corners of their global box.
    let full: Vec<Vec<(Vec<usize>, Vec<usize>)>> = tables
        .cubes
        .iter()
        .map(|cube| {
            (0..cube.len())
                .map(|index| cube.coords(index))
                .filter(|c| cube.is_full(c) && tables.values[cube.var(c)] > 0)
                .map(|c| {
                    let corners = cube.ancestors(&c);
                    (c, corners)
                })
                .collect()
        })
        .collect();
    // Coverage is not recomputed within a pass: it only grows, and a value
    // that became covered is skipped below when its cheapest move costs 0.
    let mut seen = BTreeSet::new();
    for (i, cube) in tables.cubes.iter().enumerate() {
        for index in 0..cube.len() {
            let var = cube.vars[index];
            if var == tables.grand || !hidden[var] || !seen.insert(var) {
                continue;
            }
            if (global.every_cube && global.covered[i][index]) || pairs.covers(i, index) {
                continue;
            }
            let p = cube.coords(index);
            if local_box(cube, &p, hidden) {
                continue;
            }
            // A global move hides the grand total and a value in every
            // table: only when nothing else will do.
            let options = [
                cheapest_local(cube, &p, &tables.values, &tables.scale, hidden),
                cheapest_pair(
                    cube,
                    &full[i],
                    &p,
                    &tables.values,
                    &tables.scale,
                    hidden,
                    tables.grand,
                ),
            ];
            let pick = options.into_iter().flatten().min_by_key(|(k, _)| *k);
            let Some((_, vars)) = pick.or_else(|| cheapest_global(tables, Some((i, &p)), hidden))
            else {
                continue;
            };
            // Cost 0: a move through `p` is hidden already.
            if vars.iter().all(|&v| hidden[v]) {
                continue;
            }
            for v in vars {
                hidden[v] = true;
            }
            changed = true;
        }
    }
    changed
}

#[cfg(test)]
pub(crate) mod attacker {
    //! An independent attacker for tests: bounds propagation and search over
    //! non-negative integers, knowing every published value and every line.

    use super::Line;

    /// Whether some non-negative integer assignment of the hidden values,
    /// each at most `bound`, satisfies every line with `var` set to `value`.
    pub(crate) fn feasible(
        values: &[u64],
        hidden: &[bool],
        lines: &[Line],
        bound: u64,
        var: usize,
        value: u64,
    ) -> bool {
        let mut lo: Vec<u64> = values.to_vec();
        let mut hi: Vec<u64> = values.to_vec();
        for v in 0..values.len() {
            if hidden[v] {
                lo[v] = 0;
                hi[v] = bound;
            }
        }
        lo[var] = value;
        hi[var] = value;
        search(&mut lo, &mut hi, lines)
    }

    fn propagate(lo: &mut [u64], hi: &mut [u64], lines: &[Line]) -> bool {
        loop {
            let mut changed = false;
            for line in lines {
                let sum_lo: u64 = line.members.iter().map(|&v| lo[v]).sum();
                let sum_hi: u64 = line.members.iter().map(|&v| hi[v]).sum();
                let t = line.total;
                if sum_lo > lo[t] {
                    lo[t] = sum_lo;
                    changed = true;
                }
                if sum_hi < hi[t] {
                    hi[t] = sum_hi;
                    changed = true;
                }
                if lo[t] > hi[t] {
                    return false;
                }
                for &m in &line.members {
                    let others_lo = sum_lo - lo[m];
                    let others_hi = sum_hi - hi[m];
                    let new_hi = hi[t].saturating_sub(others_lo);
                    if new_hi < hi[m] {
                        hi[m] = new_hi;
                        changed = true;
                    }
                    let new_lo = lo[t].saturating_sub(others_hi);
                    if new_lo > lo[m] {
                        lo[m] = new_lo;
                        changed = true;
                    }
                    if lo[m] > hi[m] {
                        return false;
                    }
                }
            }
            if !changed {
                return true;
            }
        }
    }

    fn search(lo: &mut [u64], hi: &mut [u64], lines: &[Line]) -> bool {
        if !propagate(lo, hi, lines) {
            return false;
        }
        let open = (0..lo.len())
            .filter(|&v| lo[v] < hi[v])
            .min_by_key(|&v| hi[v] - lo[v]);
        let Some(v) = open else {
            return lines
                .iter()
                .all(|l| l.members.iter().map(|&m| lo[m]).sum::<u64>() == lo[l.total]);
        };
        for x in lo[v]..=hi[v] {
            let (mut l2, mut h2) = (lo.to_vec(), hi.to_vec());
            l2[v] = x;
            h2[v] = x;
            if search(&mut l2, &mut h2, lines) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::attacker::feasible;
    use super::*;
    use proptest::prelude::*;

    /// Check both guarantees on `tables` suppressed with `k`.
    fn check(tables: &Linked, k: u64) -> Result<(), TestCaseError> {
        let hidden = suppress(tables, k);
        let values = tables.values();
        let lines = tables.lines();
        for (v, &n) in values.iter().enumerate() {
            prop_assert!(hidden[v] || n == 0 || n >= k, "published small value {n}");
            prop_assert!(!(hidden[v] && n == 0), "hid a zero");
        }
        let bound = values[tables.grand()] * 2 + 2;
        for v in (0..values.len()).filter(|&v| hidden[v]) {
            let n = values[v];
            prop_assert!(feasible(values, &hidden, &lines, bound, v, n));
            let other = feasible(values, &hidden, &lines, bound, v, n + 1)
                || feasible(values, &hidden, &lines, bound, v, n - 1);
            prop_assert!(
                other,
                "hidden value {v} (= {n}) is pinned: {hidden:?} {values:?}"
            );
        }
        Ok(())
    }

    /// Records with a cube cell and one value per 1-D table.
    fn tables_of(sizes: &[usize], one_d: &[usize], records: &[(Vec<usize>, Vec<usize>)]) -> Linked {
        let mut cells = vec![0u64; sizes.iter().product()];
        let mut ones: Vec<Vec<u64>> = one_d.iter().map(|&n| vec![0; n]).collect();
        for (coords, attrs) in records {
            let index = coords
                .iter()
                .zip(sizes)
                .fold(0, |acc, (&c, &n)| acc * n + (c % n));
            cells[index] += 1;
            for (t, &a) in attrs.iter().enumerate().take(one_d.len()) {
                ones[t][a % one_d[t]] += 1;
            }
        }
        let mut tables = Linked::new();
        tables.add_cube(sizes, &cells).unwrap();
        for (t, counts) in ones.iter().enumerate() {
            tables.add_cube(&[one_d[t]], counts).unwrap();
        }
        tables
    }

    fn records(max: usize) -> impl Strategy<Value = Vec<(Vec<usize>, Vec<usize>)>> {
        prop::collection::vec(
            (
                prop::collection::vec(0usize..3, 3),
                prop::collection::vec(0usize..5, 3),
            ),
            0..max,
        )
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]

        #[test]
        fn three_way_with_linked_one_way_tables(
            sizes in prop::collection::vec(1usize..=3, 3),
            one_d in prop::collection::vec(1usize..=4, 2),
            recs in records(30),
            k in 3u64..=5,
        ) {
            let tables = tables_of(&sizes, &one_d, &recs);
            check(&tables, k)?;
        }

        #[test]
        fn two_way_tables(
            sizes in prop::collection::vec(1usize..=4, 2),
            recs in records(40),
            k in 3u64..=5,
        ) {
            let tables = tables_of(&sizes, &[], &recs);
            check(&tables, k)?;
        }

        #[test]
        fn one_way_tables_sharing_a_total(
            one_d in prop::collection::vec(1usize..=5, 1..=3),
            recs in records(25),
            k in 3u64..=5,
        ) {
            let tables = tables_of(&[2], &one_d, &recs);
            check(&tables, k)?;
        }
    }

    #[test]
    fn margins_and_lines_are_computed() {
        let mut tables = Linked::new();
        tables.add_cube(&[2, 2], &[1, 2, 3, 4]).unwrap();
        let cube = &tables.cubes()[0];
        let v = |c: &[usize]| tables.values()[cube.var(c)];
        assert_eq!(v(&[0, 2]), 3);
        assert_eq!(v(&[1, 2]), 7);
        assert_eq!(v(&[2, 0]), 4);
        assert_eq!(v(&[2, 1]), 6);
        assert_eq!(v(&[2, 2]), 10);
        assert_eq!(tables.lines().len(), 6);
        assert_eq!(tables.add_cube(&[3], &[1, 1, 1]), Err(TotalMismatch));
        tables.add_cube(&[3], &[5, 5, 0]).unwrap();
        assert_eq!(tables.lines().len(), 7);
    }

    #[test]
    fn a_lone_small_cell_takes_its_neighbours_with_it() {
        let mut tables = Linked::new();
        tables
            .add_cube(&[3, 3], &[1, 9, 12, 8, 20, 30, 10, 40, 50])
            .unwrap();
        let hidden = suppress(&tables, 5);
        let cube = &tables.cubes()[0];
        assert!(hidden[cube.var(&[0, 0])]);
        // Smallest partners in its row and column: 9 and 8, then 20 closes the box.
        assert!(hidden[cube.var(&[0, 1])]);
        assert!(hidden[cube.var(&[1, 0])]);
        assert!(hidden[cube.var(&[1, 1])]);
        assert_eq!(hidden.iter().filter(|&&h| h).count(), 4);
    }

    #[test]
    fn zeros_are_published_and_an_empty_table_hides_nothing() {
        let mut tables = Linked::new();
        tables.add_cube(&[2, 2], &[0, 0, 0, 0]).unwrap();
        assert!(suppress(&tables, 5).iter().all(|&h| !h));
    }
}
