import Pictures

// The evaluation types live here, the drawing in Pictures (which knows nothing of them).
extension Charts {
    /// The distributions of a mask's score for clean and for flipped samples (each group's
    /// histogram as shares of the group, so both are visible whatever the noise rate), with
    /// the AUROC in the title.
    public static func scoreDistributions(_ separation: ScoreSeparation, title: String) -> Canvas {
        scoreDistributions(edges: separation.edges, clean: separation.clean, flipped: separation.flipped,
                           auroc: separation.auroc, title: title)
    }

    /// The confusion matrix as a heat map (row-normalised shading) with counts in each cell.
    public static func confusionMatrix(_ matrix: ConfusionMatrix, classNames: [String], title: String) -> Canvas {
        confusionMatrix(counts: matrix.counts, classNames: classNames, title: title)
    }
}
