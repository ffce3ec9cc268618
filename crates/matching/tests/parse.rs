//! Parser tests: a tiny instance, and every kind of error with its line number.

use vagar_matching::{solve, Instance, InstanceError, Location};

const TINY: &str = "3 2 5\n2\n1\n0 0 7\n0 1 1\n1 0 3\n2 0 0\n2 1 9\n";

#[test]
fn parses_and_solves_a_tiny_instance() {
    let inst = Instance::parse(TINY.as_bytes()).unwrap();
    assert_eq!(inst.participants, 3);
    assert_eq!(inst.capacities, vec![2, 1]);
    assert_eq!(inst.num_edges(), 5);
    assert_eq!(inst.edges_of(0), (&[0, 1][..], &[7, 1][..]));
    assert_eq!(inst.cost_of(2, 1), Some(9));
    assert_eq!(inst.cost_of(1, 1), None);
    let sol = solve(&inst);
    // All three fit: 0 -> need 1 (1), 1 -> need 0 (3), 2 -> need 0 (0).
    assert_eq!((sol.matched, sol.cost), (3, 4));
    assert_eq!(sol.assignment, vec![Some(1), Some(0), Some(0)]);
}

#[test]
fn accepts_any_whitespace_and_order() {
    let shuffled = "3 2 5\r\n2 1\n2 1 9\t1 0 3\n0 1 1\n2 0 0\n0 0 7";
    let a = Instance::parse(shuffled.as_bytes()).unwrap();
    let b = Instance::parse(TINY.as_bytes()).unwrap();
    assert_eq!(solve(&a), solve(&b));
    assert_eq!(a.edges_of(2), b.edges_of(2));
}

/// Parses `text`, expecting an error, and returns its message.
fn error(text: &str) -> (InstanceError, String) {
    let e = Instance::parse(text.as_bytes()).expect_err("should fail");
    let msg = e.to_string();
    (e, msg)
}

#[test]
fn reports_errors_with_line_numbers() {
    let (e, msg) = error("");
    assert!(matches!(e, InstanceError::BadHeader { .. }), "{msg}");
    assert!(
        msg.contains("line 1") && msg.contains("missing participant count"),
        "{msg}"
    );

    let (e, msg) = error("3 x 5\n");
    assert!(matches!(e, InstanceError::BadHeader { .. }), "{msg}");
    assert!(msg.contains("`x`"), "{msg}");

    let (_, msg) = error("3 2 5\n2\n");
    assert!(
        msg.contains("line 3") && msg.contains("2 capacities, found 1"),
        "{msg}"
    );

    let (e, msg) = error("3 2 5\n2\n1\n0 0 7\n0 1 1\n");
    assert!(matches!(e, InstanceError::UnexpectedEnd { .. }), "{msg}");
    assert!(msg.contains("5 edges, found 2"), "{msg}");

    let (e, msg) = error(&format!("{TINY}1 1 1\n"));
    assert!(
        matches!(
            e,
            InstanceError::TrailingData {
                at: Location::Line(9),
                ..
            }
        ),
        "{msg}"
    );

    let (e, msg) = error("3 2 1\n2\n1\n3 0 7\n");
    assert!(
        matches!(
            e,
            InstanceError::ParticipantOutOfRange {
                at: Location::Line(4),
                participant: 3,
                ..
            }
        ),
        "{msg}"
    );

    let (e, msg) = error("3 2 2\n2\n1\n0 0 7\n1 2 7\n");
    assert!(
        matches!(
            e,
            InstanceError::NeedOutOfRange {
                at: Location::Line(5),
                need: 2,
                ..
            }
        ),
        "{msg}"
    );

    let (e, msg) = error("3 2 1\n2\n1\n0 0 -4\n");
    assert!(
        matches!(
            e,
            InstanceError::NegativeCost {
                at: Location::Line(4),
                cost: -4
            }
        ),
        "{msg}"
    );
    assert!(msg.starts_with("line 4: negative cost -4"), "{msg}");

    let (e, msg) = error("3 2 1\n2\n1\n0 0 1.5\n");
    assert!(
        matches!(
            e,
            InstanceError::InvalidNumber {
                at: Location::Line(4),
                ..
            }
        ),
        "{msg}"
    );

    let (e, msg) = error("1 1 1\n-1\n0 0 1\n");
    assert!(
        matches!(
            e,
            InstanceError::InvalidNumber {
                at: Location::Line(2),
                ..
            }
        ),
        "{msg}"
    );

    let (e, msg) = error("1 1 9999999999\n1\n0 0 1\n");
    assert!(matches!(e, InstanceError::UnexpectedEnd { .. }), "{msg}");
    assert!(msg.contains("9999999999 edges, found 1"), "{msg}");

    let (e, msg) = error("99999999999 1 1\n1\n0 0 1\n");
    assert!(matches!(e, InstanceError::BadHeader { .. }), "{msg}");

    let (e, msg) = error("2 1 2\n1\n0 0 2000000000000000000\n1 0 1\n");
    assert!(matches!(e, InstanceError::CostTooLarge { .. }), "{msg}");
}

#[test]
fn from_edges_validates() {
    let e = Instance::from_edges(2, vec![1], &[(0, 0, 1), (2, 0, 1)]).unwrap_err();
    assert!(matches!(
        e,
        InstanceError::ParticipantOutOfRange {
            at: Location::Edge(1),
            ..
        }
    ));
    assert_eq!(e.to_string(), "edge #1: participant 2 out of range (P = 2)");
    let e = Instance::from_edges(2, vec![1], &[(0, 1, 1)]).unwrap_err();
    assert!(matches!(e, InstanceError::NeedOutOfRange { .. }));
    let e = Instance::from_edges(2, vec![1], &[(0, 0, -1)]).unwrap_err();
    assert!(matches!(e, InstanceError::NegativeCost { cost: -1, .. }));
}

#[test]
fn reads_files_and_reports_io_errors() {
    let e = Instance::read(std::path::Path::new("/nonexistent/instance.txt")).unwrap_err();
    assert!(matches!(e, InstanceError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/instance.txt"));
}
