//! W3C action chains built the way Selenium 3.141's `ActionChains` built them (web-cases §2.2):
//! a pointer source `mouse` and, when keys are involved, a key source `key` padded with pauses
//! so both advance tick by tick. Pointer moves last 250 ms like Selenium's.

use super::session::ElementRef;
use serde_json::{Value as Json, json};

const MOVE_MS: u64 = 250;

/// One action chain under construction.
#[derive(Debug, Default)]
pub struct Chain {
    pointer: Vec<Json>,
    keys: Vec<Json>,
}

impl Chain {
    pub fn new() -> Self {
        Self::default()
    }

    fn tick_pointer(&mut self, action: Json) -> &mut Self {
        self.pointer.push(action);
        self.keys.push(json!({"type": "pause", "duration": 0}));
        self
    }

    fn tick_key(&mut self, action: Json) -> &mut Self {
        self.keys.push(action);
        self.pointer.push(json!({"type": "pause", "duration": 0}));
        self
    }

    /// Move to an element's centre plus an offset (W3C offsets are centre-relative).
    pub fn move_to(&mut self, el: &ElementRef, x: i64, y: i64) -> &mut Self {
        self.tick_pointer(json!({"type": "pointerMove", "duration": MOVE_MS, "origin": el.json(), "x": x, "y": y}))
    }

    /// Move relative to the current pointer position.
    pub fn move_by(&mut self, x: i64, y: i64) -> &mut Self {
        self.tick_pointer(json!({"type": "pointerMove", "duration": MOVE_MS, "origin": "pointer", "x": x, "y": y}))
    }

    pub fn down(&mut self, button: u8) -> &mut Self {
        self.tick_pointer(json!({"type": "pointerDown", "button": button}))
    }

    pub fn up(&mut self, button: u8) -> &mut Self {
        self.tick_pointer(json!({"type": "pointerUp", "button": button}))
    }

    pub fn click(&mut self) -> &mut Self {
        self.down(0).up(0)
    }

    pub fn key_down(&mut self, key: char) -> &mut Self {
        self.tick_key(json!({"type": "keyDown", "value": key.to_string()}))
    }

    pub fn key_up(&mut self, key: char) -> &mut Self {
        self.tick_key(json!({"type": "keyUp", "value": key.to_string()}))
    }

    /// The `actions` array of a Perform Actions request.
    pub fn build(&self) -> Vec<Json> {
        let mut sources = vec![json!({
            "type": "pointer",
            "id": "mouse",
            "parameters": {"pointerType": "mouse"},
            "actions": self.pointer,
        })];
        if self.keys.iter().any(|k| k["type"] != "pause") {
            sources.push(json!({"type": "key", "id": "key", "actions": self.keys}));
        }
        sources
    }
}
