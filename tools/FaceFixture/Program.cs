using System.CommandLine;
using PrivilegedAttribution.Landmarks;
using PrivilegedAttribution.Tools.FaceFixture;

// Builds a tiny RAF-DB-layout dataset from a few face photos (scripts/make-face-fixture.sh runs it on Debian's
// public-domain faces): the landmark tests and the face samples' CI runs read it.
Option<T> Opt<T>(string name, string description, T value) =>
    new(name) { Description = description, DefaultValueFactory = _ => value };

var photos = Opt("--photos", "Folder of face photos with faces.csv (image,left,top,right,bottom)",
    "artifacts/face-fixture/photos");
var output = Opt("--out", "The RAF-DB basic folder to create", "artifacts/face-fixture/rafdb/basic");
var trainPerClass = Opt("--train-per-class", "Training images per class", 4);
var testPerClass = Opt("--test-per-class", "Test images per class", 2);
var model = new Option<string?>("--model")
{
    Description = "dlib shape_predictor_68_face_landmarks.dat (default: " +
                  $"${ShapePredictor.ModelPathEnvironmentVariable} or {ShapePredictor.DefaultModelPath})",
};
var root = new RootCommand("Builds the face fixture: a tiny RAF-DB basic layout made from a few face photos.")
{
    photos, output, trainPerClass, testPerClass, model,
};
root.SetAction(p =>
{
    var predictor = ShapePredictor.Load(p.GetValue(model));
    FixtureMaker.Make(p.GetValue(photos)!, p.GetValue(output)!, predictor, p.GetValue(trainPerClass),
        p.GetValue(testPerClass));
    Console.WriteLine($"wrote a RAF-DB basic layout to {p.GetValue(output)}");
    return 0;
});
return root.Parse(args).Invoke();
