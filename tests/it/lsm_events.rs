//! Event files: CSV and N-MNIST parsing, binning, cropping, malformed input.

use std::path::Path;

use nmgen::diagnostic::SourceFile;
use nmgen::lsm::events::{bin_events, parse_csv, parse_nmnist, write_csv, write_nmnist, Event};
use nmgen::lsm::{load, synthetic_events, LsmDesign, SyntheticSettings};

fn nmnist() -> LsmDesign {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_nmnist.yaml")).expect("loads")
}

fn tidigits() -> LsmDesign {
    load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/lsm_tidigits.yaml")).expect("loads")
}

fn csv(text: &str, d: &LsmDesign) -> Result<nmgen::lsm::EventSet, nmgen::diagnostic::SourceError> {
    parse_csv(&SourceFile::new("ev.csv", text), d)
}

#[test]
fn headerless_pixel_csv_bins_and_crops() {
    let d = nmnist();
    // (9,9) is the crop origin: input 0. (10,9) is input 1. (0,0) is outside the crop.
    // p = 0 is dropped (polarity: on). step_us = 6000.
    let text =
        "# t,x,y,p\n0,9,9,1\n6000,10,9,1\n6500,10,9,1\n7000,0,0,1\n12000,11,9,0\n299999,24,24,1\n";
    let set = csv(text, &d).expect("parses");
    assert_eq!(set.samples.len(), 1);
    let train = bin_events(&d, &set.samples[0]);
    assert_eq!(train.steps.len(), 50);
    assert!(train.steps[0][0]);
    assert!(train.steps[1][1]);
    assert_eq!(train.steps[1].iter().filter(|&&b| b).count(), 1);
    assert!(!train.steps[2][2], "OFF event must be dropped");
    assert!(train.steps[49][15 * 16 + 15]);
    assert_eq!(train.total_spikes(), 3);
}

#[test]
fn channel_csv_with_header_groups_labelled_samples() {
    let d = tidigits();
    let text = "sample,label,t,channel\n0,3,0,5\n0,3,100,6\n1,7,0,63\n1,7,50,1\n";
    let set = csv(text, &d).expect("parses");
    assert_eq!(set.samples.len(), 2);
    assert_eq!(set.samples[0].label, Some(3));
    assert_eq!(set.samples[1].label, Some(7));
    assert_eq!(
        set.samples[1].events[0],
        Event::Channel {
            t_us: 0,
            channel: 63
        }
    );
}

#[test]
fn csv_round_trip() {
    let d = tidigits();
    let set = synthetic_events(&d, &SyntheticSettings::new(3, 2, 5));
    let text = String::from_utf8(write_csv(&set)).expect("utf8");
    let back = csv(&text, &d).expect("parses");
    assert_eq!(back, set);
}

#[test]
fn bad_number_is_located_at_its_column() {
    let d = nmnist();
    let e = csv("0,9,9,1\n10,9,oops,1\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (2, 6));
    assert!(e.message.contains("`oops`"), "{e}");
    assert!(e.to_string().starts_with("ev.csv:2:6:"), "{e}");
}

#[test]
fn wrong_field_count() {
    let d = nmnist();
    let e = csv("0,9,9,1\n10,9,9\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (2, 1));
    assert!(e.message.contains("expected 4 fields, found 3"), "{e}");
}

#[test]
fn pixel_outside_sensor_and_bad_polarity() {
    let d = nmnist();
    let e = csv("0,40,9,1\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (1, 3));
    assert!(e.message.contains("outside the sensor"), "{e}");
    let e = csv("0,4,9,2\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (1, 7));
    assert!(e.message.contains("polarity"), "{e}");
}

#[test]
fn channel_out_of_range_and_wrong_kind() {
    let d = tidigits();
    let e = csv("t,channel\n0,64\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (2, 3));
    let e = csv("0,1,2,1\n", &d).expect_err("pixel events for a channel design");
    assert_eq!(e.line, 1);
    assert!(e.message.contains("t,channel"), "{e}");
}

#[test]
fn unknown_column_and_conflicting_label() {
    let d = tidigits();
    let e = csv("t,chan\n0,1\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (1, 3));
    assert!(e.message.contains("unknown column `chan`"), "{e}");
    let e = csv("sample,label,t,channel\n0,1,0,1\n0,2,5,1\n", &d).expect_err("bad");
    assert_eq!((e.line, e.column), (3, 3));
}

#[test]
fn nmnist_binary_round_trip_and_truncation() {
    let d = nmnist();
    let set = synthetic_events(&d, &SyntheticSettings::new(1, 1, 9));
    let bytes = write_nmnist(&set.samples[0]);
    assert_eq!(bytes.len() % 5, 0);
    let back = parse_nmnist(Path::new("s.bin"), &bytes, &d).expect("parses");
    assert_eq!(back.events, set.samples[0].events);
    // A known record: x=9, y=10, ON, t = 0x012345.
    let one = parse_nmnist(Path::new("s.bin"), &[9, 10, 0x81, 0x23, 0x45], &d).expect("parses");
    assert_eq!(
        one.events,
        vec![Event::Pixel {
            t_us: 0x012345,
            x: 9,
            y: 10,
            p: 1
        }]
    );
    let e = parse_nmnist(Path::new("s.bin"), &bytes[..bytes.len() - 2], &d).expect_err("truncated");
    assert!(e.message.contains("truncated record"), "{e}");
    let e = parse_nmnist(Path::new("s.bin"), &[200, 1, 0, 0, 0], &d).expect_err("outside");
    assert!(e.message.contains("record 0"), "{e}");
}

#[test]
fn synthetic_events_are_seeded() {
    let d = nmnist();
    let a = synthetic_events(&d, &SyntheticSettings::new(3, 2, 11));
    let b = synthetic_events(&d, &SyntheticSettings::new(3, 2, 11));
    let c = synthetic_events(&d, &SyntheticSettings::new(3, 2, 12));
    assert_eq!(a, b);
    assert_ne!(a, c);
    assert_eq!(a.samples.len(), 6);
    assert!(a.samples.iter().all(|s| s.label.is_some()));
}

#[test]
fn unlabelled_csv_round_trip_keeps_labels_absent() {
    let d = nmnist();
    let mut set = synthetic_events(&d, &SyntheticSettings::new(1, 2, 4));
    set.samples.iter_mut().for_each(|s| s.label = None);
    let text = String::from_utf8(write_csv(&set)).expect("utf8");
    assert!(text.starts_with("sample,t,x,y,p\n"));
    assert_eq!(csv(&text, &d).expect("parses"), set);
}
