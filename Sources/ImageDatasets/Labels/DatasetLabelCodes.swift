/// How each format's own label codes map to the paper's classes (``Expression``).
///
/// Codes a protocol leaves out (AffectNet's Contempt, None, Uncertain and Non-Face; CK+'s
/// Contempt in the paper's six-class protocol) map to nil and are counted, not read.
public enum DatasetLabelCodes {
    /// AffectNet's `expression` column: 0 Neutral, 1 Happy, 2 Sad, 3 Surprise, 4 Fear,
    /// 5 Disgust, 6 Anger, 7 Contempt, 8 None, 9 Uncertain, 10 Non-Face.
    public static let affectNet: [Int: Expression?] = [
        0: .neutral, 1: .happy, 2: .sad, 3: .surprise, 4: .fear, 5: .disgust, 6: .anger,
        7: nil, 8: nil, 9: nil, 10: nil,
    ]
    /// Names of AffectNet's codes 7-10, which the paper's protocol leaves out.
    public static let affectNetExcludedNames: [Int: String] = [7: "Contempt", 8: "None", 9: "Uncertain", 10: "Non-Face"]

    /// FER2013's `emotion` column: 0 Angry, 1 Disgust, 2 Fear, 3 Happy, 4 Sad, 5 Surprise, 6 Neutral.
    public static let fer2013: [Int: Expression] = [
        0: .anger, 1: .disgust, 2: .fear, 3: .happy, 4: .sad, 5: .surprise, 6: .neutral,
    ]

    /// CK+'s `Emotion/*_emotion.txt` codes: 0 neutral, 1 anger, 2 contempt, 3 disgust,
    /// 4 fear, 5 happy, 6 sadness, 7 surprise. Contempt (2) has no ``Expression``.
    public static let ckPlus: [Int: Expression?] = [
        0: .neutral, 1: .anger, 2: nil, 3: .disgust, 4: .fear, 5: .happy, 6: .sad, 7: .surprise,
    ]
    /// CK+'s code for Contempt.
    public static let ckPlusContempt = 2
}
