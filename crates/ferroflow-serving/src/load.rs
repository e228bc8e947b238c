//! Builds a [`YamlValue`] from parser events, resolving scalars exactly like PyYAML's
//! `safe_load`.
//!
//! Serde's `deserialize_any` cannot be used for this: it hides whether a scalar was quoted,
//! and its YAML 1.2-flavoured typing disagrees with PyYAML on spellings PyYAML *writes
//! plain* (`y`, `n`, `1e5`, `0o17` are strings to PyYAML). Working on the event stream of
//! serde-saphyr's parser gives us the scalar style, so only plain scalars are resolved.

use std::collections::HashMap;

use serde_saphyr::granit_parser::{Event, Options, Parser, ScalarStyle, Tag};

use crate::pyyaml::{self, Plain};
use crate::{MlModelError, YamlMap, YamlValue};

/// Nesting deeper than this is rejected instead of risking the stack.
const MAX_DEPTH: usize = 256;
/// Cap on nodes copied by aliases, against "billion laughs" documents.
const MAX_ALIAS_NODES: usize = 100_000;

fn yaml_err(msg: impl Into<String>) -> MlModelError {
    MlModelError::Yaml(msg.into())
}

struct Loader<'a> {
    parser: Parser<'a, serde_saphyr::granit_parser::StrInput<'a>>,
    anchors: HashMap<usize, YamlValue>,
    alias_nodes: usize,
}

fn parser_options() -> Options {
    let mut options = Options::default();
    options.set_emit_comments(false);
    options
}

pub(crate) fn load_str(text: &str) -> Result<YamlValue, MlModelError> {
    let mut loader = Loader {
        parser: Parser::new_from_str_with_options(text, parser_options()),
        anchors: HashMap::new(),
        alias_nodes: 0,
    };
    let mut doc = None;
    loop {
        match loader.next()? {
            None | Some(Event::StreamEnd) => break,
            Some(Event::StreamStart | Event::DocumentEnd) => {}
            Some(Event::DocumentStart(..)) => {
                if doc.is_some() {
                    return Err(yaml_err("expected a single document, found several"));
                }
                let first = loader.next()?.ok_or_else(|| yaml_err("unexpected end"))?;
                doc = Some(loader.node(first, 0)?);
            }
            Some(other) => return Err(yaml_err(format!("unexpected YAML event {other:?}"))),
        }
    }
    // An empty stream is `None` in Python.
    Ok(doc.unwrap_or(YamlValue::Null))
}

/// The core-schema type name of a node's tag (`str`, `int`, ...), whether written as
/// `!!int` or verbatim `!<tag:yaml.org,2002:int>`.
fn tag_suffix(tag: &Option<std::borrow::Cow<'_, Tag>>) -> Result<Option<String>, MlModelError> {
    let Some(t) = tag.as_deref() else {
        return Ok(None);
    };
    let full = format!("{}{}", t.handle(), t.suffix());
    if full == "!" {
        // The non-specific tag forces a string (or a plain collection).
        return Ok(Some("str".to_owned()));
    }
    match full.strip_prefix("tag:yaml.org,2002:") {
        Some(name) => Ok(Some(name.to_owned())),
        None => Err(yaml_err(format!(
            "unsupported YAML tag {full} (yaml.safe_load rejects it too)"
        ))),
    }
}

impl<'a> Loader<'a> {
    /// The next event that carries content; anchor metadata is skipped (comments are
    /// switched off in the parser options).
    fn next(&mut self) -> Result<Option<Event<'a>>, MlModelError> {
        loop {
            match self.parser.next_event() {
                None => return Ok(None),
                Some(Err(e)) => return Err(yaml_err(e.to_string())),
                Some(Ok((Event::Anchor(..), _))) => {}
                Some(Ok((ev, _))) => return Ok(Some(ev)),
            }
        }
    }

    fn next_required(&mut self) -> Result<Event<'a>, MlModelError> {
        self.next()?
            .ok_or_else(|| yaml_err("unexpected end of document"))
    }

    fn remember(&mut self, anchor: usize, value: &YamlValue) {
        if anchor != 0 {
            self.anchors.insert(anchor, value.clone());
        }
    }

    fn node(&mut self, event: Event<'a>, depth: usize) -> Result<YamlValue, MlModelError> {
        if depth > MAX_DEPTH {
            return Err(yaml_err("document nested too deeply"));
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                let value = scalar(&text, style, tag_suffix(&tag)?.as_deref())?;
                self.remember(anchor, &value);
                Ok(value)
            }
            Event::Alias(id) => {
                let value = self
                    .anchors
                    .get(&id)
                    .cloned()
                    .ok_or_else(|| yaml_err("alias to an unknown anchor"))?;
                self.alias_nodes += count_nodes(&value);
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(yaml_err("too many nodes expanded from aliases"));
                }
                Ok(value)
            }
            Event::SequenceStart(_, anchor, tag) => {
                if !matches!(tag_suffix(&tag)?.as_deref(), None | Some("seq" | "str")) {
                    return Err(yaml_err("unsupported tag on a sequence"));
                }
                let mut items = Vec::new();
                loop {
                    match self.next_required()? {
                        Event::SequenceEnd => break,
                        ev => items.push(self.node(ev, depth + 1)?),
                    }
                }
                let value = YamlValue::Seq(items);
                self.remember(anchor, &value);
                Ok(value)
            }
            Event::MappingStart(_, anchor, tag) => {
                if !matches!(tag_suffix(&tag)?.as_deref(), None | Some("map" | "str")) {
                    return Err(yaml_err("unsupported tag on a mapping"));
                }
                let value = YamlValue::Map(self.mapping(depth)?);
                self.remember(anchor, &value);
                Ok(value)
            }
            other => Err(yaml_err(format!("unexpected YAML event {other:?}"))),
        }
    }

    /// Reads entries up to `MappingEnd`. Like PyYAML: later duplicates win, and `<<` merge
    /// keys contribute entries that explicit keys override.
    fn mapping(&mut self, depth: usize) -> Result<YamlMap, MlModelError> {
        let mut map = YamlMap::new();
        let mut merged = Vec::new();
        loop {
            let key_event = match self.next_required()? {
                Event::MappingEnd => break,
                ev => ev,
            };
            let is_merge = matches!(
                &key_event,
                Event::Scalar(t, ScalarStyle::Plain, _, None) if t == "<<"
            );
            let key = self.node(key_event, depth + 1)?;
            let value_event = self.next_required()?;
            let value = self.node(value_event, depth + 1)?;
            if is_merge {
                match value {
                    YamlValue::Map(m) => merged.push(m),
                    YamlValue::Seq(items) => {
                        for item in items {
                            match item {
                                YamlValue::Map(m) => merged.push(m),
                                _ => return Err(yaml_err("a merge key needs mappings")),
                            }
                        }
                    }
                    _ => return Err(yaml_err("a merge key needs a mapping")),
                }
                continue;
            }
            if matches!(key, YamlValue::Seq(_) | YamlValue::Map(_)) {
                // Python cannot hash a list or dict, so safe_load rejects this too.
                return Err(yaml_err("a mapping key must be a scalar"));
            }
            map.insert(key, value);
        }
        // Earlier merge sources win over later ones; explicit keys win over all.
        for source in merged {
            for (k, v) in source {
                if map.get_value(&k).is_none() {
                    map.insert(k, v);
                }
            }
        }
        Ok(map)
    }
}

fn count_nodes(v: &YamlValue) -> usize {
    1 + match v {
        YamlValue::Seq(items) => items.iter().map(count_nodes).sum(),
        YamlValue::Map(m) => m.iter().map(|(k, v)| count_nodes(k) + count_nodes(v)).sum(),
        _ => 0,
    }
}

fn scalar(text: &str, style: ScalarStyle, tag: Option<&str>) -> Result<YamlValue, MlModelError> {
    let plain = match (tag, style) {
        (Some(tag), _) => {
            return pyyaml::construct(tag, text)
                .ok_or_else(|| yaml_err(format!("cannot read {text:?} as !!{tag}")));
        }
        (None, ScalarStyle::Plain) => pyyaml::resolve(text),
        (None, _) => return Ok(YamlValue::String(text.to_owned())),
    };
    match plain {
        Plain::Str => Ok(YamlValue::String(text.to_owned())),
        Plain::Value(v) => Ok(v),
        Plain::Unconstructible(why) => Err(yaml_err(format!("cannot read {text:?}: {why}"))),
    }
}
