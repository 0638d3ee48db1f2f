//! Chat records: a field holding a list of messages `{"role": ..., "content": ...}` (the OpenAI and Hugging
//! Face chat format; `content` may also be a list of parts `{"type": "text", "text": ...}`). A scope picks
//! which messages make the text that is compared.

use std::borrow::Cow;
use std::str::FromStr;

use serde::Deserialize;

use crate::error::{Error, Result};

/// Which messages of a conversation are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChatScope {
    /// The whole conversation, every message prefixed by its role.
    #[default]
    All,
    /// Every user message.
    User,
    /// The first user message: finds conversations that open with the same prompt.
    FirstUser,
    /// The system messages: finds shared prompt templates.
    System,
}

impl FromStr for ChatScope {
    type Err = Error;

    fn from_str(name: &str) -> Result<Self> {
        match name {
            "all" => Ok(ChatScope::All),
            "user" => Ok(ChatScope::User),
            "first-user" => Ok(ChatScope::FirstUser),
            "system" => Ok(ChatScope::System),
            other => Err(Error::InvalidArgument(format!(
                "unknown chat scope '{other}': expected all, user, first-user or system"
            ))),
        }
    }
}

#[derive(Deserialize)]
pub(crate) struct Message<'a> {
    #[serde(borrow)]
    role: Cow<'a, str>,
    #[serde(borrow)]
    content: Content<'a>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum Content<'a> {
    Text(#[serde(borrow)] Cow<'a, str>),
    Parts(#[serde(borrow)] Vec<Part<'a>>),
    Empty(()),
}

#[derive(Deserialize)]
struct Part<'a> {
    #[serde(borrow, default)]
    text: Option<Cow<'a, str>>,
}

impl Content<'_> {
    fn push_to(&self, out: &mut String) {
        match self {
            Content::Text(text) => out.push_str(text),
            Content::Parts(parts) => {
                let texts = parts.iter().filter_map(|part| part.text.as_deref());
                for (index, text) in texts.enumerate() {
                    if index > 0 {
                        out.push('\n');
                    }
                    out.push_str(text);
                }
            }
            Content::Empty(()) => {}
        }
    }
}

/// The text of `messages` under `scope`. Messages are separated by blank lines.
pub(crate) fn scoped_text(messages: &[Message<'_>], scope: ChatScope) -> String {
    let mut out = String::new();
    let wanted = |message: &Message<'_>| match scope {
        ChatScope::All => true,
        ChatScope::User | ChatScope::FirstUser => message.role == "user",
        ChatScope::System => message.role == "system",
    };
    for message in messages.iter().filter(|message| wanted(message)) {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        if scope == ChatScope::All {
            out.push_str(&message.role);
            out.push_str(": ");
        }
        message.content.push_to(&mut out);
        if scope == ChatScope::FirstUser {
            break;
        }
    }
    out
}
