#!/usr/bin/env python3
"""Aggregates jdk.ExecutionSample of a bench JFR recording per io.mlobj.bench.Run window.
usage: python3 bench/jfr_summary.py recording.jfr [topN]

Windows come from the io.mlobj.bench.Run events that BenchSupport.measure emits (see
docs/PERFORMANCE.md, "Profiling a scenario"); samples outside every run are setup and data writing."""
import json, subprocess, sys, re, collections, datetime

def ts(s):  # 2026-12-07T20:51:30.123456789Z -> seconds
    m = re.match(r'(.*T\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-].*)$', s)
    base = datetime.datetime.fromisoformat(m.group(1))
    frac = float('0' + (m.group(2) or '.0'))
    return base.timestamp() + frac

def dur(s):  # PT1.5S / PT0.001S / PT2M3.1S
    m = re.match(r'PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?', s)
    h, mi, se = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(se or 0)

RULES = [  # (category, regex on "class.method"); first rule matching any frame of the stack wins
    ('crc32c', r'java\.util\.zip\.CRC32C|Crc32c|\.Checksums?\b'),
    ('snappy', r'snappy|Snappy'),
    ('zstd', r'zstd|Zstd'),
    ('gzip/lz4', r'Inflater|Deflater|lz4|Lz4'),
    ('parquet encode (columnar writer + parquet-mr column writers)', r'ColumnarParquetEncoder|ParquetShardEncoder|org\.apache\.parquet\.column\.(values|impl)|ColumnChunkPageWriteStore|ParquetFileWriter|CapacityByteArrayOutputStream'),
    ('parquet-mr ParquetFileReader (row-group read/copy, footer)', r'org\.apache\.parquet\.hadoop\.ParquetFileReader|org\.apache\.parquet\.format|ParquetMetadataConverter'),
    ('mlobj parquet decode (ColumnarParquetDecoder, page copy)', r'io\.mlobj\.internal\.arrow\.(ColumnarParquetDecoder|BulkPageDecoder|RleHybridDecoder|ParquetBatchReader)|org\.apache\.parquet\.column'),
    ('arrow ipc encode/decode', r'io\.mlobj\.internal\.arrow\.(ArrowIpc|DirectIpc)|org\.apache\.arrow\.vector\.ipc'),
    ('s3 server (S3Proxy/jclouds/jetty, in-process)', r'org\.gaul|jclouds|jetty'),
    ('mlobj store/upload/fetch', r'io\.mlobj\.internal\.store|io\.mlobj\.internal\.io'),
    ('aws sdk + apache http client', r'software\.amazon\.awssdk|org\.apache\.http'),
    ('bench (raw baseline / data)', r'io\.mlobj\.bench'),
    ('arrow vectors/memory', r'org\.apache\.arrow'),
    ('other mlobj', r'io\.mlobj'),
]
RULES = [(c, re.compile(r)) for c, r in RULES]

def frames_of(ev):
    st = ev['values'].get('stackTrace') or {}
    out = []
    for f in st.get('frames', []):
        m = f['method']
        out.append(m['type']['name'].replace('/', '.') + '.' + m['name'])
    return out

def category(frames):
    for c, r in RULES:
        for f in frames:
            if r.search(f):
                return c
    return 'jdk/other: ' + (frames[0].rsplit('.', 1)[0] if frames else '?')

def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 12
    raw = subprocess.run(['jfr', 'print', '--json', '--stack-depth', '96', '--events',
                          'jdk.ExecutionSample,jdk.NativeMethodSample,io.mlobj.bench.Run,jdk.GarbageCollection', path],
                         capture_output=True, text=True, check=True).stdout
    events = json.loads(raw)['recording']['events']
    runs, samples, gcs, natives = [], [], [], []
    for e in events:
        t = e['type']
        if t == 'io.mlobj.bench.Run':
            s = ts(e['values']['startTime']); runs.append((s, s + dur(e['values']['duration']), e['values']['variant']))
        elif t == 'jdk.NativeMethodSample':
            natives.append((ts(e['values']['startTime']), frames_of(e)))
        elif t == 'jdk.ExecutionSample':
            samples.append((ts(e['values']['startTime']), (e['values'].get('sampledThread') or {}).get('javaName') or '?', frames_of(e)))
        elif t == 'jdk.GarbageCollection':
            gcs.append((ts(e['values']['startTime']), dur(e['values']['sumOfPauses'])))
    runs.sort()
    per = collections.defaultdict(lambda: {'n': 0, 'cat': collections.Counter(), 'self': collections.Counter(),
                                            'wall': 0.0, 'runs': 0, 'gc': 0.0, 'lib': collections.Counter(), 'native': collections.Counter()})
    for s, e, v in runs:
        per[v]['wall'] += e - s; per[v]['runs'] += 1
    def window(t):
        for s, e, v in runs:
            if s <= t <= e:
                return v
        return '(outside timed runs: setup, dataset writing, JIT)'
    for t, th, fr in samples:
        p = per[window(t)]
        p['n'] += 1
        p['cat'][category(fr)] += 1
        p['self'][fr[0] if fr else '?'] += 1
        for f in fr:  # the innermost mlobj/parquet frame
            if f.startswith(('io.mlobj.internal', 'org.apache.parquet')):
                p['lib'][f] += 1
                break
    for t, fr in natives:
        c = category(fr)
        leaf = fr[0] if fr else '?'
        if not re.search(r'SocketDispatcher|Net\.poll|EPoll|Object\.wait|Unsafe\.park|Thread\.sleep|accept|Socket.*read0|FileDispatcherImpl\.read0', leaf):
            per[window(t)]['native'][c + ' <- ' + leaf] += 1
    for t, d in gcs:
        per[window(t)]['gc'] += d
    print(f'# {path}: {len(samples)} execution samples (JFR profile settings: 10 ms per Java thread), {len(runs)} timed runs')
    for v in sorted(per, key=lambda k: (k.startswith('('), k)):
        p = per[v]
        print(f'\n== {v}: {p["runs"]} runs, {p["wall"]:.1f} s wall in total, {p["n"]} samples, GC pauses {p["gc"]*1000:.0f} ms')
        if p['native']:
            print('  jdk.NativeMethodSample (threads in native code, 20 ms period; socket waits/parks left out):')
            for c, n in p['native'].most_common(6):
                print(f'    {n:5d}  {c}')
        if not p['n']:
            continue
        print('  by category (first matching rule over the whole stack):')
        for c, n in p['cat'].most_common():
            print(f'    {100*n/p["n"]:5.1f}%  {n:5d}  {c}')
        print(f'  top {top} self (leaf) frames:')
        for c, n in p['self'].most_common(top):
            print(f'    {100*n/p["n"]:5.1f}%  {n:5d}  {c}')
        print(f'  top {top} innermost mlobj-internal/parquet frames:')
        for c, n in p['lib'].most_common(top):
            print(f'    {100*n/p["n"]:5.1f}%  {n:5d}  {c}')

main()
