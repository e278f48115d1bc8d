//! Rendered page images, kept in memory so that pdfium — which serves one document at a time,
//! uploads included — renders each page once, not on every look.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

/// Width of a rendered page in pixels: sharp enough to read small print at screen size.
pub const PAGE_WIDTH_PX: u32 = 1100;

/// PNGs by (document, page), the oldest dropped when the budget is spent.
pub struct PageCache {
    budget: usize,
    inner: Mutex<Cached>,
}

#[derive(Default)]
struct Cached {
    bytes: usize,
    images: HashMap<(String, u32), Arc<Vec<u8>>>,
    order: VecDeque<(String, u32)>,
}

impl PageCache {
    pub fn new(budget_bytes: usize) -> PageCache {
        PageCache { budget: budget_bytes, inner: Mutex::new(Cached::default()) }
    }

    pub fn get(&self, id: &str, page: u32) -> Option<Arc<Vec<u8>>> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).images.get(&(id.to_string(), page)).cloned()
    }

    pub fn put(&self, id: &str, page: u32, png: Vec<u8>) -> Arc<Vec<u8>> {
        let png = Arc::new(png);
        let mut c = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let key = (id.to_string(), page);
        if let Some(old) = c.images.insert(key.clone(), png.clone()) {
            c.bytes -= old.len();
        } else {
            c.order.push_back(key);
        }
        c.bytes += png.len();
        while c.bytes > self.budget && c.order.len() > 1 {
            let Some(oldest) = c.order.pop_front() else { break };
            if let Some(old) = c.images.remove(&oldest) {
                c.bytes -= old.len();
            }
        }
        png
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_oldest_pages_leave_when_the_budget_is_spent() {
        let c = PageCache::new(10);
        c.put("a", 1, vec![0; 6]);
        c.put("a", 2, vec![0; 6]);
        assert!(c.get("a", 1).is_none() && c.get("a", 2).is_some());
        c.put("a", 2, vec![0; 4]);
        c.put("b", 1, vec![0; 5]);
        assert!(c.get("a", 2).is_some() && c.get("b", 1).is_some());
    }
}
