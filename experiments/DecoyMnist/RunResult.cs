namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>One trained model's numbers.</summary>
/// <param name="Protocol">The decoy protocol of the evaluation (the clean model is trained once per seed and
/// evaluated under each).</param>
/// <param name="Method">How it was trained.</param>
/// <param name="Seed">Initialisation and batch-order seed.</param>
/// <param name="ValidationAccuracy">% on the validation split (held-out training digits, uninformative decoys).
/// </param>
/// <param name="TestAccuracy">% on the test split with the protocol's test decoys, or null in a sweep (which never
/// looks at the test split).</param>
/// <param name="CleanTestAccuracy">% on the test digits without any decoy (how well the digits themselves were
/// learned), or null in a sweep.</param>
/// <param name="SecondsPerEpoch">Mean wall-clock seconds of one training epoch.</param>
/// <param name="TestAgreement">Where the model looks on the test split (with the protocol's test decoys), or null
/// in a sweep.</param>
public sealed record RunResult(
    string Protocol,
    TrainingMethod Method,
    int Seed,
    double ValidationAccuracy,
    double? TestAccuracy,
    double? CleanTestAccuracy,
    double SecondsPerEpoch,
    AttributionAgreement? TestAgreement = null);
