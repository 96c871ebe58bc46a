using System.Runtime.InteropServices;
using System.Text;

namespace PrivilegedAttribution.Benchmarks.Investigations.Profiling;

/// <summary>
/// LibTorch's own operator profiler, which TorchSharp does not expose: <c>torch::autograd::profiler::RecordProfile</c>
/// records every ATen operator and autograd function run on this thread between construction and destruction, and
/// writes them as a Chrome trace. Constructed through its C++ symbols (Itanium ABI, libstdc++'s std::string
/// layout); where they are missing, <see cref="TryStart"/> returns null and the profile falls back to timings.
/// </summary>
public sealed class LibTorchTrace : IDisposable
{
    private const string Constructor =
        "_ZN5torch8autograd8profiler13RecordProfileC1ERKNSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE";

    private const string Destructor = "_ZN5torch8autograd8profiler13RecordProfileD1Ev";

    // Generous room for the object (a unique_ptr and a reference in LibTorch 2.x).
    private const int ObjectBytes = 256;

    private IntPtr _self;
    private IntPtr _string;
    private IntPtr _chars;

    private LibTorchTrace(string path) => Path = path;

    /// <summary>Where the trace is written when the recording is disposed.</summary>
    public string Path { get; }

    /// <summary>Starts recording into <paramref name="path"/>, or returns null where LibTorch lacks the profiler.
    /// </summary>
    public static LibTorchTrace? TryStart(string path)
    {
        var trace = new LibTorchTrace(path);
        try
        {
            trace.Start();
            return trace;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            trace.Free();
            return null;
        }
    }

    /// <summary>Stops recording and writes the trace.</summary>
    public void Dispose()
    {
        if (_self != IntPtr.Zero)
        {
            Destroy(_self);
        }

        Free();
    }

    private void Start()
    {
        var bytes = Encoding.UTF8.GetBytes(Path + "\0");
        _chars = Marshal.AllocHGlobal(bytes.Length);
        Marshal.Copy(bytes, 0, _chars, bytes.Length);
        // std::__cxx11::string: { char* data; size_t length; union { char local[16]; size_t capacity; } }. The
        // callee only reads it (const&), so a heap-style string pointing at our buffer is never freed by LibTorch.
        _string = Marshal.AllocHGlobal(32);
        Marshal.WriteIntPtr(_string, 0, _chars);
        Marshal.WriteInt64(_string, 8, bytes.Length - 1);
        Marshal.WriteInt64(_string, 16, bytes.Length - 1);
        Marshal.WriteInt64(_string, 24, 0);
        _self = Marshal.AllocHGlobal(ObjectBytes);
        for (var i = 0; i < ObjectBytes; i += 8)
        {
            Marshal.WriteInt64(_self, i, 0);
        }

        Construct(_self, _string);
    }

    private void Free()
    {
        foreach (var pointer in new[] { _self, _string, _chars })
        {
            if (pointer != IntPtr.Zero)
            {
                Marshal.FreeHGlobal(pointer);
            }
        }

        (_self, _string, _chars) = (IntPtr.Zero, IntPtr.Zero, IntPtr.Zero);
    }

    [DllImport("torch_cpu", EntryPoint = Constructor)]
    private static extern void Construct(IntPtr self, IntPtr fileName);

    [DllImport("torch_cpu", EntryPoint = Destructor)]
    private static extern void Destroy(IntPtr self);
}
