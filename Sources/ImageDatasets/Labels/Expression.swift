import Foundation

/// The paper's seven classes: the six basic emotions and Neutral.
///
/// The raw values are the library's class indices for every facial-expression dataset that
/// has all seven, in the order of AffectNet's codes (0 Neutral, 1 Happy, 2 Sad, 3 Surprise,
/// 4 Fear, 5 Disgust, 6 Anger), so AffectNet labels pass through unchanged. Datasets with
/// fewer classes (CK+ and Oulu-CASIA have no Neutral in the paper's protocol) keep this
/// order for the classes they have; their ``ImageDataset/classNames`` say which.
public enum Expression: Int, CaseIterable, Sendable, Codable {
    /// Class 0 (AffectNet code 0).
    case neutral = 0
    /// Class 1 (AffectNet code 1).
    case happy
    /// Class 2 (AffectNet code 2).
    case sad
    /// Class 3 (AffectNet code 3).
    case surprise
    /// Class 4 (AffectNet code 4).
    case fear
    /// Class 5 (AffectNet code 5).
    case disgust
    /// Class 6 (AffectNet code 6).
    case anger

    /// The class name used in ``ImageDataset/classNames``.
    public var name: String {
        switch self {
        case .neutral: return "Neutral"
        case .happy: return "Happy"
        case .sad: return "Sad"
        case .surprise: return "Surprise"
        case .fear: return "Fear"
        case .disgust: return "Disgust"
        case .anger: return "Anger"
        }
    }

    /// The six basic emotions in the library's order (no Neutral).
    public static let basicSix: [Expression] = [.happy, .sad, .surprise, .fear, .disgust, .anger]

    /// The expression named `text`, accepting the spellings the datasets use
    /// ("Happiness"/"Happy", "Sadness"/"Sad", "Angry"/"Anger", "Surprised", ...) and the
    /// paper's two-letter abbreviations (Fig. 2: An, Di, Fe, Ne, Ha, Sa, Su), in any case.
    public init?(name text: String) {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "neutral", "ne": self = .neutral
        case "happy", "happiness", "ha": self = .happy
        case "sad", "sadness", "sa": self = .sad
        case "surprise", "surprised", "su": self = .surprise
        case "fear", "fearful", "afraid", "fe": self = .fear
        case "disgust", "disgusted", "di": self = .disgust
        case "anger", "angry", "an": self = .anger
        default: return nil
        }
    }
}
