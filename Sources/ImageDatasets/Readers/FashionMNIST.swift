import Foundation

/// Fashion-MNIST as installed by the Debian package `dataset-fashion-mnist`
/// (`/usr/share/datasets/fashion-mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte.gz`):
/// 60,000 training and 10,000 test images, 28x28 gray, 10 classes. The real dataset that
/// needs no download: the default data for the label-noise experiments.
public enum FashionMNIST {
    /// Where the Debian package puts the files.
    public static let defaultDirectory = URL(fileURLWithPath: "/usr/share/datasets/fashion-mnist")

    /// The ten classes, indexed by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The images are 28x28.
    public static let side = 28

    /// What to do when the files are missing.
    public static let installHint = "install the Debian package dataset-fashion-mnist, for example with Scripts/install-dependencies.sh"

    /// The training (60,000) or test (10,000) images; the raw value is the files' prefix.
    public enum Split: String, Sendable, CaseIterable {
        /// The 60,000 training images (`train-*`).
        case train
        /// The 10,000 test images (`t10k-*`).
        case test = "t10k"
    }

    /// The image and label files of `split` in `directory`: the gzipped names, or the plain
    /// names where only those exist.
    public static func files(_ split: Split, in directory: URL = defaultDirectory) -> (images: URL, labels: URL) {
        func locate(_ stem: String) -> URL {
            let gzipped = directory.appendingPathComponent("\(split.rawValue)-\(stem)-ubyte.gz")
            let plain = directory.appendingPathComponent("\(split.rawValue)-\(stem)-ubyte")
            return FileManager.default.fileExists(atPath: gzipped.path) || !FileManager.default.fileExists(atPath: plain.path) ? gzipped : plain
        }
        return (locate("images-idx3"), locate("labels-idx1"))
    }

    /// Whether both splits' files are present in `directory`.
    public static func isInstalled(in directory: URL = defaultDirectory) -> Bool {
        Split.allCases.allSatisfy { split in
            let (images, labels) = files(split, in: directory)
            return FileManager.default.fileExists(atPath: images.path) && FileManager.default.fileExists(atPath: labels.path)
        }
    }

    /// One split, in memory (47 MB of bytes for the training split).
    /// - Throws: ``DatasetError/missingFile(path:hint:)`` saying how to install the package,
    ///   or ``DatasetError/malformedFile(path:reason:)`` for a damaged file.
    public static func load(_ split: Split, from directory: URL = defaultDirectory) throws -> InMemoryDataset {
        let (images, labels) = files(split, in: directory)
        return try IDXDatasetReader.read(images: images, labels: labels, classNames: classNames, missingHint: installHint)
    }
}
