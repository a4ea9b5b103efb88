//! Where a volunteer is in a script: the nodes visited and the options
//! chosen. Pure data with pure operations, saved with the call.

use serde::{Deserialize, Serialize};

use super::{NodeKind, Pack};
use crate::codes::CallFields;

/// One visited node and, once the volunteer has moved on, what was chosen there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Step {
    /// Id of the node.
    pub node: String,
    /// Index of the option chosen (0 = "continue" on a node with one way on);
    /// `None` on the current node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub option: Option<usize>,
    /// Call fields the chosen option set, copied so a saved path keeps its
    /// meaning even if the pack changes later.
    #[serde(default, skip_serializing_if = "CallFields::is_empty")]
    pub set: CallFields,
}

/// The path through one flow: visited nodes in order, the last one current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PlayerPath {
    /// Id of the pack played.
    pub pack: String,
    /// Version of that pack.
    pub pack_version: String,
    /// Id of the flow played.
    pub flow: String,
    /// Visited nodes, first to current; never empty.
    steps: Vec<Step>,
}

/// Why a move through a script was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlayerError {
    /// The pack has no flow with this id.
    #[error("the pack has no flow \"{0}\"")]
    UnknownFlow(String),
    /// The pack has no node with this id (it may have changed since the path was saved).
    #[error("the pack has no node \"{0}\"")]
    UnknownNode(String),
    /// The current node has no option with this index.
    #[error("node \"{node}\" has {count} option(s); there is no option {option}")]
    NoSuchOption {
        /// The current node.
        node: String,
        /// The index asked for.
        option: usize,
        /// How many choices the node offers.
        count: usize,
    },
    /// The current node is an end node.
    #[error("the script has ended at \"{0}\"")]
    AtEnd(String),
}

impl PlayerPath {
    /// Start `flow_id` of `pack` at its entry node.
    pub fn start(pack: &Pack, flow_id: &str) -> Result<Self, PlayerError> {
        let flow = pack
            .flow(flow_id)
            .ok_or_else(|| PlayerError::UnknownFlow(flow_id.to_owned()))?;
        pack.node(&flow.entry.id)
            .ok_or_else(|| PlayerError::UnknownNode(flow.entry.id.clone()))?;
        Ok(Self {
            pack: pack.meta().id.clone(),
            pack_version: pack.meta().version.clone(),
            flow: flow.id.clone(),
            steps: vec![Step {
                node: flow.entry.id.clone(),
                option: None,
                set: CallFields::default(),
            }],
        })
    }

    /// Id of the current node.
    pub fn current(&self) -> &str {
        self.steps.last().map_or("", |step| step.node.as_str())
    }

    /// Visited nodes, first to current.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Take option `option` of the current node and move to where it leads.
    /// On an advice, say or action node, option 0 means "continue".
    pub fn choose(&mut self, pack: &Pack, option: usize) -> Result<(), PlayerError> {
        let current = self.current().to_owned();
        let node = pack
            .node(&current)
            .ok_or_else(|| PlayerError::UnknownNode(current.clone()))?;
        let (next, set) = match node.kind {
            NodeKind::End => return Err(PlayerError::AtEnd(current)),
            NodeKind::Question => node
                .options
                .get(option)
                .map(|o| (o.next.id.clone(), o.set))
                .ok_or(PlayerError::NoSuchOption {
                    node: current.clone(),
                    option,
                    count: node.options.len(),
                })?,
            NodeKind::Advice | NodeKind::Say | NodeKind::Action => node
                .next
                .as_ref()
                .filter(|_| option == 0)
                .map(|next| (next.id.clone(), CallFields::default()))
                .ok_or(PlayerError::NoSuchOption {
                    node: current.clone(),
                    option,
                    count: usize::from(node.next.is_some()),
                })?,
        };
        pack.node(&next)
            .ok_or_else(|| PlayerError::UnknownNode(next.clone()))?;
        if let Some(last) = self.steps.last_mut() {
            last.option = Some(option);
            last.set = set;
        }
        self.steps.push(Step {
            node: next,
            option: None,
            set: CallFields::default(),
        });
        Ok(())
    }

    /// Go back one node, undoing the choice made there. False at the start.
    pub fn back(&mut self) -> bool {
        if self.steps.len() < 2 {
            return false;
        }
        self.steps.pop();
        if let Some(last) = self.steps.last_mut() {
            last.option = None;
            last.set = CallFields::default();
        }
        true
    }

    /// Go back to the flow's entry node, undoing every choice.
    pub fn restart(&mut self) {
        while self.back() {}
    }

    /// Call fields set by the options chosen so far, later choices winning.
    pub fn call_fields(&self) -> CallFields {
        let mut fields = CallFields::default();
        for step in &self.steps {
            fields.apply(&step.set);
        }
        fields
    }
}
