/**
 * The string names Keras accepts, as literal unions for completion in the notebook; `(string & {})`
 * keeps any other string legal so a typo still reaches the "did you mean" error at run time.
 */

/** @example compile({ optimizer: "rmsprop", … }) */
export type OptimizerName = "rmsprop" | "sgd" | "adam" | "adamw" | "adagrad" | "RMSprop" | "SGD" | "Adam" | "AdamW" | "Adagrad" | (string & {});

/** @example compile({ loss: "categorical_crossentropy", … }) */
export type LossName =
  | "categorical_crossentropy"
  | "sparse_categorical_crossentropy"
  | "binary_crossentropy"
  | "mean_squared_error"
  | "mse"
  | "mean_absolute_error"
  | "mae"
  | "huber"
  | "categoricalCrossentropy"
  | "sparseCategoricalCrossentropy"
  | "binaryCrossentropy"
  | "meanSquaredError"
  | "meanAbsoluteError"
  | (string & {});

/** @example compile({ metrics: ["accuracy"], … }) */
export type MetricName =
  | "accuracy"
  | "binary_accuracy"
  | "categorical_accuracy"
  | "sparse_categorical_accuracy"
  | "mae"
  | "mse"
  | "precision"
  | "recall"
  | "binaryAccuracy"
  | "categoricalAccuracy"
  | "sparseCategoricalAccuracy"
  | (string & {});

/** @example new Dense(512, { activation: "relu" }) */
export type ActivationName = "relu" | "sigmoid" | "tanh" | "softmax" | "linear" | "elu" | "selu" | "gelu" | "leaky_relu" | "leakyRelu" | "softplus" | "relu6" | "exponential" | (string & {});

/** @example new Dense(64, { kernelInitializer: "he_normal" }) */
export type InitializerName =
  | "glorot_uniform"
  | "glorot_normal"
  | "he_normal"
  | "he_uniform"
  | "lecun_normal"
  | "lecun_uniform"
  | "zeros"
  | "ones"
  | "random_normal"
  | "random_uniform"
  | "truncated_normal"
  | "glorotUniform"
  | "heNormal"
  | (string & {});
