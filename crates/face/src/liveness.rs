//! The liveness-script checker: did the citizen perform each scripted action, in
//! order, one face throughout, measured against their own neutral frames at the start?
//!
//! Signals from the five MTCNN points of each frame:
//! - yaw = offset of the nose from the eye midpoint, along the eye axis, / eye distance
//!   (positive when the nose moves toward the image's right: the citizen turning to
//!   their left in an unmirrored camera frame);
//! - pitch = position of the nose between the eye line (0) and the mouth line (1);
//! - smile = mouth-corner distance / eye distance.

use serde::{Deserialize, Serialize};

use crate::embedding::Embedding;
use crate::geometry::Point;

/// A scripted action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LivenessAction {
    TurnLeft,
    TurnRight,
    Smile,
    Nod,
}

impl LivenessAction {
    pub const ALL: [LivenessAction; 4] = [
        LivenessAction::TurnLeft,
        LivenessAction::TurnRight,
        LivenessAction::Smile,
        LivenessAction::Nod,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LivenessAction::TurnLeft => "turn_left",
            LivenessAction::TurnRight => "turn_right",
            LivenessAction::Smile => "smile",
            LivenessAction::Nod => "nod",
        }
    }
}

impl core::str::FromStr for LivenessAction {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "turn_left" => Ok(Self::TurnLeft),
            "turn_right" => Ok(Self::TurnRight),
            "smile" => Ok(Self::Smile),
            "nod" => Ok(Self::Nod),
            other => Err(format!(
                "unknown liveness action {other:?} (turn_left, turn_right, smile, nod)"
            )),
        }
    }
}

/// Head pose and expression measured on one face.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Signals {
    pub yaw: f64,
    pub pitch: f64,
    pub smile: f64,
}

impl Signals {
    /// From MTCNN's points: image-left eye, image-right eye, nose, mouth corners.
    pub fn from_points(p: &[Point; 5]) -> Self {
        let [le, re, nose, ml, mr] = *p;
        let mid = le.midpoint(re);
        let (ex, ey) = (re.x - le.x, re.y - le.y);
        let eye2 = (ex * ex + ey * ey).max(1e-9);
        let eye = eye2.sqrt();
        let yaw = ((nose.x - mid.x) * ex + (nose.y - mid.y) * ey) / eye2;
        let mouth = ml.midpoint(mr);
        // Along the axis perpendicular to the eyes, pointing down the face.
        let (px, py) = (-ey / eye, ex / eye);
        let nose_down = (nose.x - mid.x) * px + (nose.y - mid.y) * py;
        let mouth_down = ((mouth.x - mid.x) * px + (mouth.y - mid.y) * py).max(1e-9);
        Self {
            yaw,
            pitch: nose_down / mouth_down,
            smile: ml.distance(mr) / eye,
        }
    }
}

/// What the checker knows of one frame.
pub struct FrameInput<'a> {
    pub timestamp_ms: u64,
    /// Faces found (the frame counts only with exactly one).
    pub faces: usize,
    pub signals: Option<Signals>,
    pub embedding: Option<&'a Embedding>,
}

/// Thresholds, relative to the neutral baseline.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LivenessConfig {
    /// Frames at the start (at most) averaged into the neutral baseline.
    pub baseline_frames: usize,
    /// Yaw change that counts as a head turn (0.12: a turn of roughly 12–15°; the
    /// jitter of a still head on the test videos stays within ±0.05).
    pub turn_yaw: f64,
    /// Relative mouth widening that counts as a smile (0.12 = 12 % wider).
    pub smile_ratio: f64,
    /// Pitch change that counts as a nod (either direction).
    pub nod_pitch: f64,
    /// Largest descriptor distance between consecutive usable frames (one face).
    pub continuity_threshold: f32,
}

impl Default for LivenessConfig {
    fn default() -> Self {
        Self {
            baseline_frames: 3,
            turn_yaw: 0.12,
            smile_ratio: 0.12,
            nod_pitch: 0.1,
            continuity_threshold: 0.5,
        }
    }
}

/// Evidence for one scripted step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepReport {
    pub action: LivenessAction,
    pub seen: bool,
    /// The frames in which the action was measured (the first is where it was seen).
    pub frames: Vec<usize>,
    /// The measured value in each of those frames, relative to the baseline
    /// (yaw change, pitch change, or mouth-width ratio − 1).
    pub values: Vec<f64>,
    pub threshold: f64,
}

/// The liveness decision and its evidence.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LivenessReport {
    pub passed: bool,
    pub steps: Vec<StepReport>,
    /// Frames used for the neutral baseline and the baseline itself.
    pub baseline_frames: Vec<usize>,
    pub baseline: Option<Signals>,
    /// Whether one face was seen throughout: largest distance between consecutive
    /// usable frames, and the frame where continuity broke, if it did.
    pub same_face: bool,
    pub max_consecutive_distance: Option<f32>,
    pub continuity_break_at: Option<usize>,
    /// Frames showing more than one face.
    pub frames_with_several_faces: Vec<usize>,
    /// Why it failed, in words (numbers only, no images).
    pub failure: Option<String>,
}

fn relative(action: LivenessAction, s: &Signals, base: &Signals) -> f64 {
    match action {
        LivenessAction::TurnLeft => s.yaw - base.yaw,
        LivenessAction::TurnRight => base.yaw - s.yaw,
        LivenessAction::Smile => s.smile / base.smile.max(1e-9) - 1.0,
        LivenessAction::Nod => (s.pitch - base.pitch).abs(),
    }
}

fn threshold(action: LivenessAction, c: &LivenessConfig) -> f64 {
    match action {
        LivenessAction::TurnLeft | LivenessAction::TurnRight => c.turn_yaw,
        LivenessAction::Smile => c.smile_ratio,
        LivenessAction::Nod => c.nod_pitch,
    }
}

/// How far past its threshold `action` is in `s` (1.0 = exactly at threshold).
fn strength(action: LivenessAction, s: &Signals, base: &Signals, c: &LivenessConfig) -> f64 {
    relative(action, s, base) / threshold(action, c)
}

/// Whether a frame shows the onset of `action`: it is past its threshold and no
/// rival is further past its own. A head movement moves every signal a little (a
/// smile raises the mouth line, so the pitch moves; a turn foreshortens the face), so
/// without this a script performed in another order could pass on side effects.
/// Rivals are the actions not yet performed: one still held from an earlier step (a
/// citizen keeps smiling while turning) does not hide the next.
fn shows_onset(
    action: LivenessAction,
    rivals: &[LivenessAction],
    s: &Signals,
    base: &Signals,
    c: &LivenessConfig,
) -> bool {
    let own = strength(action, s, base, c);
    own >= 1.0 && rivals.iter().all(|r| strength(*r, s, base, c) <= own)
}

/// Checks the script against the frames (in upload order, timestamps increasing).
pub fn check_script(
    frames: &[FrameInput<'_>],
    script: &[LivenessAction],
    config: &LivenessConfig,
) -> LivenessReport {
    let mut report = LivenessReport {
        passed: false,
        steps: script
            .iter()
            .map(|a| StepReport {
                action: *a,
                seen: false,
                frames: Vec::new(),
                values: Vec::new(),
                threshold: threshold(*a, config),
            })
            .collect(),
        baseline_frames: Vec::new(),
        baseline: None,
        same_face: true,
        max_consecutive_distance: None,
        continuity_break_at: None,
        frames_with_several_faces: frames
            .iter()
            .enumerate()
            .filter(|(_, f)| f.faces > 1)
            .map(|(i, _)| i)
            .collect(),
        failure: None,
    };
    if script.is_empty() {
        report.failure = Some("empty liveness script".into());
        return report;
    }
    if frames
        .windows(2)
        .any(|w| matches!(w, [a, b] if b.timestamp_ms < a.timestamp_ms))
    {
        report.failure = Some("frame timestamps go backwards".into());
        return report;
    }
    let usable: Vec<(usize, Signals)> = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| f.faces == 1)
        .filter_map(|(i, f)| f.signals.map(|s| (i, s)))
        .collect();
    // Continuity of the face: consecutive usable frames must look like one person.
    let mut prev: Option<(usize, &Embedding)> = None;
    for (i, f) in frames.iter().enumerate() {
        if f.faces != 1 {
            continue;
        }
        let Some(e) = f.embedding else { continue };
        if let Some((_, p)) = prev {
            let d = p.distance(e);
            if report.max_consecutive_distance.is_none_or(|m| d > m) {
                report.max_consecutive_distance = Some(d);
            }
            if d > config.continuity_threshold && report.continuity_break_at.is_none() {
                report.continuity_break_at = Some(i);
                report.same_face = false;
            }
        }
        prev = Some((i, e));
    }
    // Neutral baseline: the first usable frames.
    let base: Vec<&(usize, Signals)> = usable.iter().take(config.baseline_frames.max(1)).collect();
    if base.is_empty() {
        report.failure = Some("no frame shows exactly one face".into());
        return report;
    }
    let n = base.len() as f64;
    let baseline = Signals {
        yaw: base.iter().map(|(_, s)| s.yaw).sum::<f64>() / n,
        pitch: base.iter().map(|(_, s)| s.pitch).sum::<f64>() / n,
        smile: base.iter().map(|(_, s)| s.smile).sum::<f64>() / n,
    };
    report.baseline_frames = base.iter().map(|(i, _)| *i).collect();
    report.baseline = Some(baseline);
    let start_after = base.last().map_or(0, |(i, _)| *i);
    // Each step: the first frame after the previous step's onset where the action is
    // seen (an action may still be held when the next one starts: a citizen keeps
    // smiling while turning); the evidence runs while it stays above threshold. The
    // same action twice in a script needs two occurrences: a step starts after the
    // end of the last run of its action.
    let mut cursor = usable
        .iter()
        .position(|(i, _)| *i > start_after)
        .unwrap_or(usable.len());
    let mut run_ends: Vec<(LivenessAction, usize)> = Vec::new();
    for step in &mut report.steps {
        let th = step.threshold;
        let from = run_ends
            .iter()
            .filter(|(a, _)| *a == step.action)
            .map(|(_, end)| *end)
            .fold(cursor, usize::max);
        let rivals: Vec<LivenessAction> = LivenessAction::ALL
            .into_iter()
            .filter(|a| *a != step.action && !run_ends.iter().any(|(done, _)| done == a))
            .collect();
        let found = usable
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, (_, s))| shows_onset(step.action, &rivals, s, &baseline, config));
        let Some((k, _)) = found else {
            break;
        };
        let mut end = k;
        while let Some((i, s)) = usable.get(end) {
            let v = relative(step.action, s, &baseline);
            if v < th {
                break;
            }
            step.frames.push(*i);
            step.values.push((v * 1000.0).round() / 1000.0);
            end += 1;
        }
        step.seen = true;
        run_ends.push((step.action, end));
        cursor = k + 1;
    }
    let all_seen = report.steps.iter().all(|s| s.seen);
    report.passed = all_seen && report.same_face && report.frames_with_several_faces.is_empty();
    if !report.passed {
        // Another face first: past it, signals are measured against someone else's
        // neutral face and say nothing.
        report.failure = Some(if !report.same_face {
            format!(
                "a different face appears at frame {}",
                report.continuity_break_at.unwrap_or_default()
            )
        } else if let Some(s) = report.steps.iter().find(|s| !s.seen) {
            format!("{} not seen in order", s.action.as_str())
        } else {
            "several faces in a frame".to_string()
        });
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(yaw: f64, pitch: f64, smile: f64) -> (Signals, usize) {
        (Signals { yaw, pitch, smile }, 1)
    }

    fn run(
        seq: &[(Signals, usize)],
        script: &[LivenessAction],
        emb: &[Embedding],
    ) -> LivenessReport {
        let inputs: Vec<FrameInput<'_>> = seq
            .iter()
            .enumerate()
            .map(|(i, (s, faces))| FrameInput {
                timestamp_ms: i as u64 * 100,
                faces: *faces,
                signals: Some(*s),
                embedding: emb.get(i),
            })
            .collect();
        check_script(&inputs, script, &LivenessConfig::default())
    }

    const NEUTRAL: (f64, f64, f64) = (0.05, 0.5, 0.8);

    fn seq(parts: &[(f64, f64, f64, usize)]) -> Vec<(Signals, usize)> {
        parts
            .iter()
            .flat_map(|(y, p, s, n)| std::iter::repeat_n(frame(*y, *p, *s), *n))
            .collect()
    }

    #[test]
    fn actions_in_script_order_pass_with_evidence() {
        let (y, p, s) = NEUTRAL;
        let frames = seq(&[(y, p, s, 4), (0.4, p, s, 3), (y, p, s, 2), (y, p, 1.0, 3)]);
        let r = run(
            &frames,
            &[LivenessAction::TurnLeft, LivenessAction::Smile],
            &[],
        );
        assert!(r.passed, "{r:?}");
        assert_eq!(r.steps[0].frames, vec![4, 5, 6]);
        assert_eq!(r.steps[1].frames, vec![9, 10, 11]);
        assert!((r.steps[0].values[0] - 0.35).abs() < 1e-9);
    }

    #[test]
    fn the_same_actions_in_the_wrong_order_fail() {
        let (y, p, s) = NEUTRAL;
        let frames = seq(&[(y, p, s, 4), (y, p, 1.0, 3), (y, p, s, 2), (0.4, p, s, 3)]);
        let r = run(
            &frames,
            &[LivenessAction::TurnLeft, LivenessAction::Smile],
            &[],
        );
        assert!(!r.passed);
        assert!(r.steps[0].seen && !r.steps[1].seen);
        assert_eq!(r.failure.as_deref(), Some("smile not seen in order"));
    }

    #[test]
    fn an_action_still_held_does_not_hide_the_next_one() {
        // Smiling, then turning left while still smiling.
        let (y, p, s) = NEUTRAL;
        let frames = seq(&[(y, p, s, 3), (y, p, 1.0, 3), (0.4, p, 1.0, 3)]);
        let r = run(
            &frames,
            &[LivenessAction::Smile, LivenessAction::TurnLeft],
            &[],
        );
        assert!(r.passed, "{r:?}");
        assert_eq!(r.steps[1].frames, vec![6, 7, 8]);
    }

    #[test]
    fn the_same_action_twice_needs_two_occurrences() {
        let (y, p, s) = NEUTRAL;
        let script = [LivenessAction::TurnLeft, LivenessAction::TurnLeft];
        let once = seq(&[(y, p, s, 3), (0.4, p, s, 4)]);
        assert!(!run(&once, &script, &[]).passed);
        let twice = seq(&[(y, p, s, 3), (0.4, p, s, 2), (y, p, s, 2), (0.4, p, s, 2)]);
        let r = run(&twice, &script, &[]);
        assert!(r.passed, "{r:?}");
        assert_eq!(r.steps[1].frames, vec![7, 8]);
    }

    #[test]
    fn an_action_seen_only_as_a_side_effect_of_another_does_not_count() {
        // Asked: nod, smile, turn left. Performed in reverse: a left turn that also
        // moves the pitch past the nod threshold, a smile, a nod that also moves the
        // yaw past the turn threshold. Each side effect is weaker than the movement.
        let (y, p, s) = NEUTRAL;
        let frames = seq(&[
            (y, p, s, 4),
            (0.4, 0.65, s, 3),
            (y, p, s, 2),
            (y, p, 1.0, 3),
            (y, p, s, 2),
            (0.2, 0.9, s, 3),
        ]);
        let script = [
            LivenessAction::Nod,
            LivenessAction::Smile,
            LivenessAction::TurnLeft,
        ];
        let r = run(&frames, &script, &[]);
        assert!(!r.passed, "{r:?}");
        assert_eq!(
            r.steps[0].frames,
            vec![14, 15, 16],
            "the nod is the real one"
        );
        assert_eq!(r.failure.as_deref(), Some("smile not seen in order"));
        let mut performed = script;
        performed.reverse();
        assert!(run(&frames, &performed, &[]).passed);
    }

    #[test]
    fn turning_to_the_citizens_right_is_not_a_left_turn() {
        let (y, p, s) = NEUTRAL;
        let frames = seq(&[(y, p, s, 4), (-0.4, p, s, 4)]);
        assert!(!run(&frames, &[LivenessAction::TurnLeft], &[]).passed);
        assert!(run(&frames, &[LivenessAction::TurnRight], &[]).passed);
    }

    #[test]
    fn a_frame_with_two_faces_fails_the_script() {
        let (y, p, s) = NEUTRAL;
        let mut frames = seq(&[(y, p, s, 4), (0.4, p, s, 3)]);
        frames[5].1 = 2;
        let r = run(&frames, &[LivenessAction::TurnLeft], &[]);
        assert!(!r.passed);
        assert_eq!(r.frames_with_several_faces, vec![5]);
    }

    #[test]
    fn a_different_face_breaks_continuity() {
        let (y, p, s) = NEUTRAL;
        let frames = seq(&[(y, p, s, 4), (0.4, p, s, 3)]);
        let a = Embedding::from_values(vec![0.0; 128]);
        let mut b = vec![0.0; 128];
        b[0] = 0.9;
        let b = Embedding::from_values(b);
        let embs = vec![
            a.clone(),
            a.clone(),
            a.clone(),
            a.clone(),
            a.clone(),
            b.clone(),
            b,
        ];
        let r = run(&frames, &[LivenessAction::TurnLeft], &embs);
        assert!(!r.passed);
        assert_eq!(r.continuity_break_at, Some(5));
    }

    #[test]
    fn pose_signals_follow_the_nose() {
        let pts = |nose_x: f64| {
            [
                Point::new(100.0, 100.0),
                Point::new(160.0, 100.0),
                Point::new(nose_x, 130.0),
                Point::new(110.0, 160.0),
                Point::new(150.0, 160.0),
            ]
        };
        let centred = Signals::from_points(&pts(130.0));
        assert!(centred.yaw.abs() < 1e-9);
        assert!((centred.pitch - 0.5).abs() < 1e-9);
        assert!((centred.smile - 40.0 / 60.0).abs() < 1e-9);
        // Nose toward the image's right: the citizen turns to their left.
        assert!((Signals::from_points(&pts(148.0)).yaw - 0.3).abs() < 1e-9);
    }
}
