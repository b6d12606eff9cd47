// A file system for tests that can lose what was never made durable, tear a write, or flip a bit, like a
// disk and kernel would on a crash or a bad sector. Durability is modelled as on Linux: a file's bytes
// survive a crash only up to its last fsync, and a new file or a rename survives only once its directory
// was fsynced. Crash() applies a power loss to the files on disk; CrashBefore stops the machine just
// before a chosen operation (every later operation fails too), so a test can crash in any window.

using GrainKV.Storage.IO;

namespace GrainKV.Storage.Tests.Faults;

/// <summary>Thrown by <see cref="FaultInjectingFileSystem"/> and crash-point hooks where a test simulates a crash.</summary>
public sealed class SimulatedCrashException(string message) : IOException(message);

public sealed class FaultInjectingFileSystem : IFileSystem
{
    private readonly Dictionary<string, long> _syncedLength = new(StringComparer.Ordinal);
    private readonly List<DirectoryChange> _unsyncedChanges = [];
    private readonly Lock _lock = new();
    private bool _crashed;

    /// <summary>When set, the next file whose name ends with this suffix fails (IOException) after this many bytes are written.</summary>
    public (string Suffix, long Bytes)? TearNextWrite { get; set; }

    /// <summary>When set, the next file whose name ends with this suffix gets byte <c>Offset</c> flipped as it is written.</summary>
    public (string Suffix, long Offset)? FlipBitInNextFile { get; set; }

    /// <summary>When set, called before each operation with its name (<c>create</c>, <c>sync</c>, <c>move</c>,
    /// <c>syncdir</c>) and path (the source of a move); returning true crashes there: the operation and every
    /// later one throw <see cref="SimulatedCrashException"/>.</summary>
    public Func<string, string, bool>? CrashBefore { get; set; }

    /// <summary>Operations done so far, as "name path" (for test diagnostics).</summary>
    public List<string> Operations { get; } = [];

    public Stream Create(string path)
    {
        Before("create", path);
        lock (_lock)
        {
            var existed = File.Exists(path);
            _syncedLength[path] = 0;
            if (!existed)
            {
                _unsyncedChanges.Add(new DirectoryChange(path, null, null));
            }
        }

        long? tearAt = null;
        if (TearNextWrite is { } tear && path.EndsWith(tear.Suffix, StringComparison.Ordinal))
        {
            tearAt = tear.Bytes;
            TearNextWrite = null;
        }

        long? flipAt = null;
        if (FlipBitInNextFile is { } flip && path.EndsWith(flip.Suffix, StringComparison.Ordinal))
        {
            flipAt = flip.Offset;
            FlipBitInNextFile = null;
        }

        return new FaultyStream(path, new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None), tearAt, flipAt);
    }

    public void Sync(Stream stream)
    {
        var faulty = (FaultyStream)stream;
        Before("sync", faulty.Path);
        faulty.Inner.Flush(flushToDisk: true);
        lock (_lock)
        {
            _syncedLength[faulty.Path] = faulty.Inner.Length;
        }
    }

    public void Move(string source, string destination)
    {
        Before("move", source);
        lock (_lock)
        {
            // Keep what the destination held, so that a crash before the directory sync can bring it back.
            var previous = File.Exists(destination) ? File.ReadAllBytes(destination) : null;
            File.Move(source, destination, overwrite: true);
            _syncedLength[destination] = _syncedLength.GetValueOrDefault(source, new FileInfo(destination).Length);
            _syncedLength.Remove(source);
            _unsyncedChanges.Add(new DirectoryChange(destination, source, previous));
        }
    }

    public void SyncDirectory(string directory)
    {
        Before("syncdir", directory);
        var full = Path.GetFullPath(directory).TrimEnd(Path.DirectorySeparatorChar);
        lock (_lock)
        {
            _unsyncedChanges.RemoveAll(c => Path.GetDirectoryName(Path.GetFullPath(c.Path)) == full);
        }
    }

    /// <summary>Simulates power loss: every file written through this file system loses its unsynced bytes, and
    /// every file creation and rename whose directory was not synced since is undone (a renamed file is back
    /// under its old name, the file it replaced is back; a created file is gone).</summary>
    public void Crash()
    {
        lock (_lock)
        {
            foreach (var (path, synced) in _syncedLength)
            {
                if (File.Exists(path) && new FileInfo(path).Length > synced)
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
                    file.SetLength(synced);
                }
            }

            for (var i = _unsyncedChanges.Count - 1; i >= 0; i--)
            {
                var change = _unsyncedChanges[i];
                if (change.MovedFrom is { } source && File.Exists(change.Path))
                {
                    File.Move(change.Path, source, overwrite: true);
                }
                else if (change.MovedFrom is null)
                {
                    File.Delete(change.Path);
                }

                if (change.Replaced is { } previous)
                {
                    File.WriteAllBytes(change.Path, previous);
                }
            }

            _unsyncedChanges.Clear();
            _syncedLength.Clear();
        }
    }

    /// <summary>Simulates power loss that keeps every directory entry: only unsynced bytes are lost.</summary>
    public void DropUnsyncedData()
    {
        lock (_lock)
        {
            _unsyncedChanges.Clear();
        }

        Crash();
    }

    private void Before(string operation, string path)
    {
        lock (_lock)
        {
            if (!_crashed && CrashBefore?.Invoke(operation, path) == true)
            {
                _crashed = true;
            }

            if (_crashed)
            {
                throw new SimulatedCrashException($"Simulated crash before {operation} {path}.");
            }

            Operations.Add($"{operation} {path}");
        }
    }

    /// <summary>A directory entry not yet made durable: a created file (<c>MovedFrom</c> null) or a rename,
    /// with the bytes of the file it replaced.</summary>
    private sealed record DirectoryChange(string Path, string? MovedFrom, byte[]? Replaced);

    private sealed class FaultyStream(string path, FileStream inner, long? tearAt, long? flipAt) : Stream
    {
        public string Path { get; } = path;

        public FileStream Inner { get; } = inner;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => Inner.Length;

        public override long Position
        {
            get => Inner.Position;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            var data = buffer.ToArray();
            var start = Inner.Position;
            if (flipAt is { } flip && flip >= start && flip < start + data.Length)
            {
                data[flip - start] ^= 0x04;
            }

            if (tearAt is { } tear && start + data.Length > tear)
            {
                Inner.Write(data, 0, (int)Math.Max(0, tear - start));
                Inner.Flush();
                throw new IOException($"Injected torn write in {Path} at byte {tear}.");
            }

            Inner.Write(data);
        }

        public override void Flush() => Inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                Inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
