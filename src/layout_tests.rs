//! The crate's layout, checked (STYLE.md, habit 1: "layout by flow,
//! composition on top"):
//! - the shared layers never name the app, the composition root or a flow;
//! - flows use each other one way only (no two import each other, and no
//!   longer cycle either).
//!
//! A failure names the offending file and line, and what it named.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The layers under the flows: shared by all of them, they know none.
const SHARED_LAYERS: &[&str] = &[
    "accounts",
    "components",
    "dev",
    "domain",
    "error",
    "i18n",
    "mail",
    "outcome",
    "paths",
    "server",
    "version_skew",
];

/// Above the flows: the browser's route table and the composition root.
const ON_TOP: &[&str] = &[
    "app",
    "startup",
    "housekeeping",
    "main",
    "lib",
    "layout_tests",
];

/// The flows: every other folder of `src/` (a new one counts by itself).
fn flows() -> Vec<String> {
    let mut flows: Vec<String> = std::fs::read_dir(src())
        .expect("src/ is readable")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .filter(|name| !SHARED_LAYERS.contains(&name.as_str()) && !ON_TOP.contains(&name.as_str()))
        .collect();
    flows.sort();
    flows
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The `.rs` files of a top-level module of `src/`: `name.rs`, or every
/// file under `name/`.
fn files_of(module: &str) -> Vec<PathBuf> {
    let file = src().join(format!("{module}.rs"));
    if file.is_file() {
        return vec![file];
    }
    let mut files = Vec::new();
    let mut folders = vec![src().join(module)];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a module folder is readable") {
            let path = entry.expect("a folder entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// How many modules deep a file of `src/` is: `src/paths.rs` and
/// `src/server/mod.rs` are 1, `src/server/door.rs` 2. A `super::` chain
/// that long from it reaches the crate's root.
fn depth_of(file: &Path) -> usize {
    let relative = file.strip_prefix(src()).unwrap_or(file);
    let parts = relative.components().count();
    if relative.file_name().is_some_and(|name| name == "mod.rs") {
        parts - 1
    } else {
        parts
    }
}

/// Where `code` names a top-level module of the crate: `(line, module)`
/// for each `crate::module`, each module of a `use crate::{…}` group, and
/// each `super::…::module` whose `super`s climb to the crate's root from a
/// file `depth` modules deep; comments aside.
fn modules_named(code: &str, depth: usize) -> Vec<(usize, String)> {
    let mut named = modules_named_from_crate(code);
    for (index, line) in code.lines().enumerate() {
        let text = line.trim_start();
        if text.starts_with("//") {
            continue;
        }
        let mut rest = text;
        while let Some(at) = rest.find("super::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at..];
            let mut climbs = 0;
            while let Some(after) = rest.strip_prefix("super::") {
                climbs += 1;
                rest = after;
            }
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') || climbs < depth {
                continue;
            }
            let module: String = rest
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !module.is_empty() {
                named.push((index + 1, module));
            }
        }
    }
    named.sort();
    named
}

fn modules_named_from_crate(code: &str) -> Vec<(usize, String)> {
    let mut named = Vec::new();
    let mut group: Option<usize> = None;
    for (index, line) in code.lines().enumerate() {
        let number = index + 1;
        let text = line.trim_start();
        if text.starts_with("//") {
            continue;
        }
        let mut rest = text;
        if let Some(depth) = group.as_mut() {
            rest = take_group(rest, depth, number, &mut named);
            if *depth == 0 {
                group = None;
            }
        }
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().next_back();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue;
            }
            if let Some(inner) = rest.strip_prefix('{') {
                let mut depth = 1;
                rest = take_group(inner, &mut depth, number, &mut named);
                if depth > 0 {
                    group = Some(depth);
                }
            } else {
                let module: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !module.is_empty() {
                    named.push((number, module));
                }
            }
        }
    }
    named
}

/// Reads the first-level names of a `{…}` group until it closes (`depth`
/// back to 0) or the line ends; gives what follows the group.
fn take_group<'a>(
    mut text: &'a str,
    depth: &mut usize,
    number: usize,
    named: &mut Vec<(usize, String)>,
) -> &'a str {
    let mut expecting_name = *depth == 1;
    while let Some(c) = text.chars().next() {
        text = &text[c.len_utf8()..];
        match c {
            '{' => *depth += 1,
            '}' => {
                *depth -= 1;
                if *depth == 0 {
                    return text;
                }
            }
            ',' if *depth == 1 => expecting_name = true,
            c if c.is_alphanumeric() || c == '_' => {
                if expecting_name && *depth == 1 {
                    let mut name = String::from(c);
                    name.extend(
                        text.chars()
                            .take_while(|c| c.is_alphanumeric() || *c == '_'),
                    );
                    text = &text[name.len() - 1..];
                    named.push((number, name));
                }
                expecting_name = false;
            }
            _ => {}
        }
    }
    text
}

/// Each use of `forbidden` in the files of `module`, as
/// `src/…/file.rs:line names crate::other`.
fn uses_of(module: &str, forbidden: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    for file in files_of(module) {
        let code = std::fs::read_to_string(&file).expect("a source file is readable");
        for (line, named) in modules_named(&code, depth_of(&file)) {
            if forbidden.contains(&named) {
                let shown = file.strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")));
                found.push(format!(
                    "{}:{line} names crate::{named}",
                    shown.unwrap_or(&file).display()
                ));
            }
        }
    }
    found
}

/// What each flow's code names of the other flows.
fn flow_imports() -> BTreeMap<String, Vec<String>> {
    let flows = flows();
    flows
        .iter()
        .map(|flow| {
            let others: Vec<String> = flows.iter().filter(|o| *o != flow).cloned().collect();
            let mut named: Vec<String> = uses_of(flow, &others)
                .iter()
                .filter_map(|use_| use_.rsplit("crate::").next().map(str::to_owned))
                .collect();
            named.sort();
            named.dedup();
            (flow.clone(), named)
        })
        .collect()
}

#[test]
fn no_shared_layer_names_the_app_or_a_flow() {
    let mut above: Vec<String> = flows();
    above.extend(["app", "startup", "housekeeping"].map(str::to_owned));
    let found: Vec<String> = SHARED_LAYERS
        .iter()
        .flat_map(|layer| uses_of(layer, &above))
        .collect();
    assert!(
        found.is_empty(),
        "a shared layer must not know what stands on it (move the piece down, or \
         hand it in from `startup`):\n{}",
        found.join("\n")
    );
}

/// The shared layers from the ground up: a layer names its own floor and
/// those below, never one above (README, "Layout").
const FLOORS: &[&[&str]] = &[
    &[
        "domain",
        "error",
        "i18n",
        "outcome",
        "paths",
        "version_skew",
    ],
    &["server"],
    &["accounts"],
    &["mail"],
    &["components", "dev"],
];

#[test]
fn the_shared_layers_stand_in_one_order() {
    let mut found = Vec::new();
    for (floor, layers) in FLOORS.iter().enumerate() {
        let above: Vec<String> = FLOORS[floor + 1..]
            .iter()
            .flat_map(|layers| layers.iter().map(|layer| (*layer).to_owned()))
            .collect();
        for layer in *layers {
            found.extend(uses_of(layer, &above));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
    let listed: Vec<&str> = FLOORS
        .iter()
        .flat_map(|layers| layers.iter().copied())
        .collect();
    for layer in SHARED_LAYERS {
        assert!(listed.contains(layer), "{layer} stands on no floor");
    }
}

#[test]
fn no_flow_names_the_app_or_the_composition_root() {
    let top = ["app", "startup", "housekeeping"].map(str::to_owned);
    let found: Vec<String> = flows()
        .iter()
        .flat_map(|flow| uses_of(flow, &top))
        .collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn flows_use_each_other_one_way_only() {
    let graph = flow_imports();
    fn visit<'a>(
        flow: &'a str,
        graph: &'a BTreeMap<String, Vec<String>>,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|f| *f == flow) {
            panic!(
                "flows that import each other: {} → {flow}",
                path[start..].join(" → ")
            );
        }
        if done.contains(&flow) {
            return;
        }
        path.push(flow);
        for next in graph.get(flow).into_iter().flatten() {
            visit(next, graph, path, done);
        }
        path.pop();
        done.push(flow);
    }
    let mut done = Vec::new();
    for flow in graph.keys() {
        visit(flow, &graph, &mut Vec::new(), &mut done);
    }
    assert!(
        graph
            .get("account")
            .is_some_and(|named| named.contains(&"contact".to_owned())),
        "the scan found no import at all: {graph:?}"
    );
}

#[test]
fn every_module_of_src_is_a_flow_a_shared_layer_or_on_top() {
    for entry in std::fs::read_dir(src()).expect("src/ is readable") {
        let path = entry.expect("an entry of src/").path();
        if path.is_dir() {
            continue; // a folder not listed is a flow
        }
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        assert!(
            SHARED_LAYERS.contains(&stem) || ON_TOP.contains(&stem),
            "src/{stem}.rs is neither a shared layer nor on top: list it in layout_tests"
        );
    }
}

#[test]
fn no_module_renames_the_crate() {
    for file in std::fs::read_dir(src())
        .expect("src/ is readable")
        .filter_map(Result::ok)
        .flat_map(|entry| {
            let name = entry.file_name().into_string().unwrap_or_default();
            files_of(name.trim_end_matches(".rs"))
        })
        .filter(|file| !file.ends_with("layout_tests.rs"))
    {
        let code = std::fs::read_to_string(&file).expect("a source file is readable");
        assert!(
            !code.contains("use crate as") && !code.contains("extern crate self"),
            "{} renames the crate: the layering scan would not see through it",
            file.display()
        );
    }
}

#[test]
fn every_flow_is_a_folder_and_every_shared_layer_exists() {
    assert!(flows().contains(&"login".to_owned()), "{:?}", flows());
    for layer in SHARED_LAYERS {
        assert!(!files_of(layer).is_empty(), "no module {layer}");
    }
}

/// The scan itself: a planted import is reported with its line, in every
/// form Rust writes one.
#[test]
fn a_planted_import_of_a_flow_is_reported_with_its_line() {
    let planted = "//! A comment naming crate::login is no import.\n\
                   use crate::domain::EmailAddress;\n\
                   use crate::login::LoginForm;\n\
                   use crate::{domain, signup::SignupForm};\n\
                   use crate::{\n    error::Reference,\n    recovery::service,\n};\n\
                   fn f() { crate::account::answers::x(); }\n";
    let named = modules_named(planted, 1);
    assert_eq!(
        named,
        vec![
            (2, "domain".to_owned()),
            (3, "login".to_owned()),
            (4, "domain".to_owned()),
            (4, "signup".to_owned()),
            (6, "error".to_owned()),
            (7, "recovery".to_owned()),
            (9, "account".to_owned()),
        ]
    );
    // `super::` from `src/server/door.rs` (2 deep) stays in `server` once,
    // reaches the root twice.
    let climbing = "use super::web::Connected;\nuse super::super::login::LoginForm;\n";
    assert_eq!(modules_named(climbing, 2), vec![(2, "login".to_owned())]);
    assert_eq!(
        depth_of(&src().join("server").join("door.rs")),
        2,
        "server/door.rs"
    );
    assert_eq!(depth_of(&src().join("server").join("mod.rs")), 1);
    assert_eq!(depth_of(&src().join("paths.rs")), 1);
}
