import ArgumentParser

/// The peer's positional arguments (../shared/peers/torch_step_bench.py), in its order.
struct Options: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-step-bench",
        abstract: "One training step of each of the paper's models, beside the PyTorch peer's.",
        discussion: """
            Same positional arguments and JSON keys as ../shared/peers/torch_step_bench.py: \
            train-step-bench [SIDE] [BATCH] [WIDTH] [REPS] [LATENT]. The autoencoder (Table I) is \
            built at SIDE with a LATENT code, as the peer's: ae_step_b64 trains it on 64 images of \
            SIDE x SIDE, and sna_step classifies its real semantic neighbours. Each step: one \
            untimed warm-up, then the median of REPS (the upper one for even REPS, as the peer's \
            sorted(ts)[len(ts) // 2]). Threads: OPENBLAS_NUM_THREADS. FER_PRECISION=bf16 runs the \
            convolutions' im2col products with bfloat16 inputs (the JSON's "precision").
            """)

    @Argument(help: ArgumentHelp("Image side, a multiple of 16 of at least 32.", valueName: "SIDE"))
    var side = 112
    @Argument(help: ArgumentHelp("Batch size, at least 2.", valueName: "BATCH"))
    var batch = 63
    @Argument(help: ArgumentHelp("Channel width of the classifier.", valueName: "WIDTH"))
    var width = 1.0
    @Argument(help: ArgumentHelp("Timed steps after the warm-up.", valueName: "REPS"))
    var reps = 3
    @Argument(help: ArgumentHelp("Code size of the autoencoder.", valueName: "LATENT"))
    var latent = 64

    func validate() throws {
        guard side >= 32, side % 16 == 0, batch >= 2, width > 0, reps >= 1, latent >= 1 else {
            throw ValidationError("need SIDE >= 32 and a multiple of 16 (the autoencoder's), BATCH >= 2, WIDTH > 0, REPS >= 1, LATENT >= 1")
        }
    }
}
