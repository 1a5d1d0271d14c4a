// This module's API is written in the data pipeline's types (datasets, loader options,
// dataset specifications) and returns Pictures' canvases, so whoever imports it needs both:
// re-exporting them keeps `import ExpressionRecognition` enough, as it was before the split
// (Docs/Architecture.md).
@_exported import ImageDatasets
@_exported import Pictures
