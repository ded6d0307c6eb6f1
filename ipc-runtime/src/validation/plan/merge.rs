//! Nodes built from other nodes once every node is compiled: a union whose
//! branches allow disjoint JSON types, and `allOf`.
//!
//! Both are merged into one node, so that the walk still checks each value
//! against one node. A merge that one node cannot express exactly (two
//! branches allowing the same type, two `items` under `allOf`, …) gives no
//! plan: the validator then decides every payload of the contract.

use std::cmp::Ordering;

use super::Plan;
use super::node::{ARRAY, Additional, INTEGER, NUMBER, Node, NodeId, Num, OBJECT, STRING};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Pending,
    Merging,
    Done,
}

/// Merges every union and `allOf` of `plan`; `None` when one cannot be
/// merged exactly.
pub(super) fn merge_all(plan: &mut Plan) -> Option<()> {
    let mut state = vec![State::Pending; plan.nodes.len()];
    for id in 0..plan.nodes.len() {
        merge(plan, id, &mut state)?;
    }
    Some(())
}

/// Merges node `id`, after the nodes it is built from.
fn merge(plan: &mut Plan, id: NodeId, state: &mut [State]) -> Option<()> {
    match state[id] {
        State::Done => return Some(()),
        // A node built from itself.
        State::Merging => return None,
        State::Pending => {}
    }
    state[id] = State::Merging;
    let union = plan.nodes[id].union.clone();
    let all_of = plan.nodes[id].all_of.clone();
    if !union.is_empty() || !all_of.is_empty() {
        let mut merged = if union.is_empty() {
            plan.nodes[id].clone()
        } else {
            let mut merged = Node::new();
            merged.types = 0;
            for branch in union {
                let branch = branch_node(plan, branch, state)?;
                add_disjoint(&mut merged, &branch)?;
            }
            merged
        };
        merged.union.clear();
        merged.all_of.clear();
        for branch in all_of {
            let branch = branch_node(plan, branch, state)?;
            intersect(&mut merged, &branch)?;
        }
        plan.nodes[id] = merged;
    }
    state[id] = State::Done;
    Some(())
}

/// The node a branch stands for (its `$ref` followed), merged first.
fn branch_node(plan: &mut Plan, id: NodeId, state: &mut [State]) -> Option<Node> {
    let target = plan.resolve(id);
    merge(plan, target, state)?;
    let node = &plan.nodes[target];
    if node.nullable.is_some() || !node.variants.is_empty() {
        return None;
    }
    Some(node.clone())
}

/// Adds a union's branch: each check applies to one JSON type, so a branch
/// brings the checks of the types it allows, which no other branch allows.
fn add_disjoint(merged: &mut Node, branch: &Node) -> Option<()> {
    // `number` is INTEGER | NUMBER, so it overlaps `integer`.
    if merged.types & branch.types != 0 {
        return None;
    }
    merged.types |= branch.types;
    if branch.types & STRING != 0 {
        merged.string_enum.clone_from(&branch.string_enum);
        merged.min_length = branch.min_length;
        merged.max_length = branch.max_length;
        merged.string_checks.clone_from(&branch.string_checks);
    }
    if branch.types & (INTEGER | NUMBER) != 0 {
        merged.minimum = branch.minimum;
        merged.maximum = branch.maximum;
        merged.exclusive_minimum = branch.exclusive_minimum;
        merged.exclusive_maximum = branch.exclusive_maximum;
        merged.multiple_of.clone_from(&branch.multiple_of);
    }
    if branch.types & ARRAY != 0 {
        merged.items = branch.items;
        merged.prefix_items.clone_from(&branch.prefix_items);
        merged.min_items = branch.min_items;
        merged.max_items = branch.max_items;
        merged.unique_items = branch.unique_items;
    }
    if branch.types & OBJECT != 0 {
        merged.properties.clone_from(&branch.properties);
        merged.required = branch.required;
        merged.additional = branch.additional;
        merged.max_properties = branch.max_properties;
        merged.tagged.clone_from(&branch.tagged);
    }
    Some(())
}

/// Adds the constraints of an `allOf` branch to `node`: a value must pass
/// both.
fn intersect(node: &mut Node, other: &Node) -> Option<()> {
    if node.tagged.is_some() || other.tagged.is_some() || !node.variants.is_empty() {
        return None;
    }
    node.types &= other.types;

    node.string_enum = match (node.string_enum.take(), &other.string_enum) {
        (None, None) => None,
        (Some(mine), None) => Some(mine),
        (None, Some(theirs)) => Some(theirs.clone()),
        (Some(mine), Some(theirs)) => Some(
            mine.into_iter()
                .filter(|option| theirs.contains(option))
                .collect(),
        ),
    };
    node.min_length = tighter(node.min_length, other.min_length, u64::max);
    node.max_length = tighter(node.max_length, other.max_length, u64::min);
    node.string_checks
        .extend(other.string_checks.iter().cloned());

    node.minimum = tighter_bound(node.minimum, other.minimum, Ordering::Greater)?;
    node.exclusive_minimum = tighter_bound(
        node.exclusive_minimum,
        other.exclusive_minimum,
        Ordering::Greater,
    )?;
    node.maximum = tighter_bound(node.maximum, other.maximum, Ordering::Less)?;
    node.exclusive_maximum = tighter_bound(
        node.exclusive_maximum,
        other.exclusive_maximum,
        Ordering::Less,
    )?;
    node.multiple_of.extend_from_slice(&other.multiple_of);

    // One node holds one `items` and one `prefixItems`: both sides may not
    // constrain the same items.
    let mine = node.items.is_some() || !node.prefix_items.is_empty();
    let theirs = other.items.is_some() || !other.prefix_items.is_empty();
    if mine && theirs {
        return None;
    }
    if theirs {
        node.items = other.items;
        node.prefix_items.clone_from(&other.prefix_items);
    }
    node.min_items = tighter(node.min_items, other.min_items, u64::max);
    node.max_items = tighter(node.max_items, other.max_items, u64::min);
    node.unique_items |= other.unique_items;

    // `additionalProperties` speaks of the keys its own object does not
    // name: it stays exact only when the other side names no other key.
    let names_only = |properties: &[(String, NodeId)], within: &[(String, NodeId)]| {
        properties
            .iter()
            .all(|(name, _)| within.iter().any(|(known, _)| known == name))
    };
    node.additional = match (node.additional, other.additional) {
        (Additional::Any, Additional::Any) => Additional::Any,
        (Additional::Any, theirs) if names_only(&node.properties, &other.properties) => theirs,
        (mine, Additional::Any) if names_only(&other.properties, &node.properties) => mine,
        _ => return None,
    };
    for (index, (name, property)) in other.properties.iter().enumerate() {
        // The same property on both sides would need both its nodes.
        if node.properties.iter().any(|(known, _)| known == name) || node.properties.len() == 64 {
            return None;
        }
        node.properties.push((name.clone(), *property));
        if other.required & (1 << index) != 0 {
            node.required |= 1 << (node.properties.len() - 1);
        }
    }
    node.max_properties = node.max_properties.min(other.max_properties);
    Some(())
}

/// The tighter of two optional limits.
fn tighter(mine: Option<u64>, theirs: Option<u64>, pick: fn(u64, u64) -> u64) -> Option<u64> {
    match (mine, theirs) {
        (Some(a), Some(b)) => Some(pick(a, b)),
        (a, b) => a.or(b),
    }
}

/// The tighter of two numeric bounds: the one on the `keep` side of the
/// other. `None` when they do not compare (NaN).
fn tighter_bound(mine: Option<Num>, theirs: Option<Num>, keep: Ordering) -> Option<Option<Num>> {
    Some(match (mine, theirs) {
        (Some(a), Some(b)) => Some(if a.compare(b)? == keep { a } else { b }),
        (a, b) => a.or(b),
    })
}
