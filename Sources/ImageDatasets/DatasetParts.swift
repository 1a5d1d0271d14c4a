/// What ``DatasetSpecification/loadParts(side:seed:)`` read: the two parts, numbered by the
/// same classes, and the report of what the readers left out.
public struct DatasetParts: Sendable {
    /// The training part; its ``ImageDataset/classNames`` are the classes of both parts.
    public let train: AnyImageDataset
    /// The test part, numbered by the training part's classes (matched by name).
    public let test: AnyImageDataset
    /// Samples (CSV rows, image files, folders) the readers left out under
    /// ``BadSamplePolicy/skip``, each counted once, with the line for CSV rows; print
    /// ``SkippedSamples/summary(maximumLines:)`` or its description so nothing is dropped silently.
    /// Images that fail only when decoded during training are reported by the loader
    /// (``LoaderStatistics/skipped``) and the evaluation (`EvaluationReport.skipped` in ExpressionRecognition).
    public let skipped: SkippedSamples

    /// Two parts and the readers' report.
    public init(train: AnyImageDataset, test: AnyImageDataset, skipped: SkippedSamples = SkippedSamples()) {
        self.train = train
        self.test = test
        self.skipped = skipped
    }
}
