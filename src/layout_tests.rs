//! The crate's layout, checked: flows depend on each other one way only.

/// The flows, each a folder of `src/`.
const FLOWS: &[&str] = &[
    "account",
    "activation",
    "contact",
    "home",
    "lifecycle",
    "login",
    "management",
    "recovery",
    "signup",
];

/// Which flows each flow's code names (`crate::flow`), comments aside.
fn imports() -> Vec<(&'static str, Vec<&'static str>)> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    FLOWS
        .iter()
        .map(|flow| {
            let mut code = String::new();
            for entry in std::fs::read_dir(src.join(flow)).unwrap() {
                let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
                for line in text.lines() {
                    if !line.trim_start().starts_with("//") {
                        code.push_str(line);
                        code.push('\n');
                    }
                }
            }
            let named = FLOWS
                .iter()
                .copied()
                .filter(|other| other != flow)
                .filter(|other| {
                    code.match_indices(&format!("crate::{other}"))
                        .any(|(at, hit)| {
                            !code[at + hit.len()..]
                                .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                        })
                })
                .collect();
            (*flow, named)
        })
        .collect()
}

/// Flows may use each other one way only: a cycle means a shared piece
/// lives inside a flow instead of `server/`, `components/` or
/// `domain/`.
#[test]
fn flow_modules_import_each_other_without_a_cycle() {
    let graph = imports();
    let edges = |flow: &str| -> Vec<&str> {
        graph
            .iter()
            .find(|(f, _)| *f == flow)
            .map(|(_, e)| e.clone())
            .unwrap_or_default()
    };
    fn visit<'a>(
        flow: &'a str,
        edges: &dyn Fn(&str) -> Vec<&'a str>,
        path: &mut Vec<&'a str>,
        done: &mut Vec<&'a str>,
    ) {
        if let Some(start) = path.iter().position(|f| *f == flow) {
            panic!("import cycle: {} → {flow}", path[start..].join(" → "));
        }
        if done.contains(&flow) {
            return;
        }
        path.push(flow);
        for next in edges(flow) {
            visit(next, edges, path, done);
        }
        path.pop();
        done.push(flow);
    }
    let mut done = Vec::new();
    for flow in FLOWS {
        visit(flow, &edges, &mut Vec::new(), &mut done);
    }
    assert!(
        edges("home").contains(&"login"),
        "the scan found no import at all"
    );
}
