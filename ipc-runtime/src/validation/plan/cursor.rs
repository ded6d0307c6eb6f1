//! Where a value is in the plan while serde reads it.

use std::cell::Cell;

use serde::de;

use super::Plan;
use super::node::{
    Node, NodeId, divisible_signed, divisible_unsigned, dyadic_divides, float_ok, string_ok,
};

pub(super) fn reject<E: de::Error>() -> E {
    E::custom("rejected by the schema plan")
}

/// What every cursor of one decode shares.
pub(super) struct Walk<'p> {
    pub(super) plan: &'p Plan,
    /// Set when the plan refuses a value. The walk then goes on (serde's
    /// own errors still stop it) and the decode fails at its end. Failing
    /// at once would make each wrapper merge the visitor's result with its
    /// own error, and LLVM copies such a merged result through the stack:
    /// that copy costs more than the check.
    pub(super) refused: Cell<bool>,
}

/// Where a value is: its node and how many more levels of arrays and
/// objects may open below it.
#[derive(Clone, Copy)]
pub(super) struct Cursor<'p> {
    pub(super) walk: &'p Walk<'p>,
    /// The node that applies to a non-null value here.
    pub(super) node: &'p Node,
    /// Whether null is allowed here.
    pub(super) null_ok: bool,
    pub(super) depth: usize,
}

impl<'p> Cursor<'p> {
    #[inline(always)]
    pub(super) fn non_null(&self) -> &'p Node {
        self.node
    }

    #[inline(always)]
    pub(super) fn plan(&self) -> &'p Plan {
        self.walk.plan
    }

    /// The decode fails, whatever else is read.
    #[cold]
    pub(super) fn refuse(&self) {
        self.walk.refused.set(true);
    }

    #[inline(always)]
    pub(super) fn require(&self, ok: bool) {
        if !ok {
            self.refuse();
        }
    }

    /// A cursor at node `id`, at the same depth.
    #[inline(always)]
    pub(super) fn at(&self, id: NodeId) -> Cursor<'p> {
        self.at_resolved(self.plan().resolved[id])
    }

    /// A cursor at a node already resolved (see [`Plan::resolved`]).
    #[inline(always)]
    pub(super) fn at_resolved(&self, (target, null_ok): (NodeId, bool)) -> Cursor<'p> {
        Cursor {
            node: &self.plan().nodes[target],
            null_ok,
            ..*self
        }
    }

    /// Moves this cursor to a node already resolved, at the same depth:
    /// only the node and whether null is allowed are written.
    #[inline(always)]
    pub(super) fn move_to(&mut self, (target, null_ok): (NodeId, bool)) {
        self.node = &self.plan().nodes[target];
        self.null_ok = null_ok;
    }

    /// The cursor for the children of a container opened here. Past the
    /// depth limit the decode is refused; serde_json's own recursion limit
    /// still bounds the stack.
    #[inline(always)]
    pub(super) fn open(&self) -> Cursor<'p> {
        match self.depth.checked_sub(1) {
            Some(depth) => Cursor { depth, ..*self },
            None => {
                self.refuse();
                *self
            }
        }
    }

    #[inline(always)]
    pub(super) fn check_unsigned(&self, value: u64) {
        let node = self.non_null();
        let (low, high) = node.unsigned_range;
        if !((low <= value && value <= high) || node.unsigned_stride.contains(value)) {
            self.unsigned_outside(value);
        }
    }

    /// An integer outside the node's range, or a node with `multipleOf`
    /// (whose ranges are left empty to come here) whose stride, if any,
    /// said no.
    #[cold]
    #[inline(never)]
    fn unsigned_outside(&self, value: u64) {
        let node = self.non_null();
        self.require(!node.multiple_of.is_empty() && divisible_unsigned(node, value));
    }

    #[cold]
    #[inline(never)]
    fn signed_outside(&self, value: i64) {
        let node = self.non_null();
        self.require(!node.multiple_of.is_empty() && divisible_signed(node, value));
    }

    #[inline(always)]
    pub(super) fn check_signed(&self, value: i64) {
        let (low, high) = self.non_null().signed_range;
        if !(low <= value && value <= high) {
            self.signed_outside(value);
        }
    }

    /// An integer serde read wider than 64 bits.
    pub(super) fn check_wide_integer(&self, value: i128) {
        if let Ok(value) = u64::try_from(value) {
            self.check_unsigned(value);
        } else if let Ok(value) = i64::try_from(value) {
            self.check_signed(value);
        } else {
            // Not decided here: the validator will.
            self.refuse();
        }
    }

    #[inline(always)]
    pub(super) fn check_float(&self, value: f64) {
        let node = self.non_null();
        if !node.any_float && !dyadic_divides(value, node.float_scale) {
            self.require(float_ok(node, value));
        }
    }

    #[inline(always)]
    pub(super) fn check_string(&self, text: &str) {
        self.require(string_ok(self.non_null(), text));
    }
}
