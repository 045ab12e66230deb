"""pyarrow interop with mlobj's Java kernel, both directions.

Run by io.mlobj.InteropITCase (part of `mvn test`), which first writes two small mlobj datasets
(Parquet and Arrow IPC shards) under $MLOBJ_INTEROP_DIR and afterwards reads the files this module
writes to $MLOBJ_INTEROP_DIR/py. Without that variable (pytest run by hand) every test is skipped.

Java-written rows: id i in 0..N-1, name "row-i", image bytes([i % 256, 1, 2]),
tokens [i, i+1][: i % 3], tensor float32[2,3] with element k = 6*i + k,
pixels uint8[3,2,2] with element k = (12*i + k) % 256.
"""

import glob
import os

import numpy as np
import pytest

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")

DIR = os.environ.get("MLOBJ_INTEROP_DIR")
pytestmark = pytest.mark.skipif(DIR is None, reason="run through io.mlobj.InteropITCase")

PY_ROWS = 64


def java_shards(fmt):
    ext = "parquet" if fmt == "parquet" else "arrow"
    files = sorted(glob.glob(os.path.join(DIR, "java-" + fmt, "data", "**", "*." + ext),
                             recursive=True))
    assert files, "no shards written by Java under " + DIR
    return files


def read_shard(path):
    if path.endswith(".parquet"):
        return pq.read_table(path)
    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_java_shards_open_with_the_tensor_type_intact(fmt):
    tables = [read_shard(p) for p in java_shards(fmt)]
    table = pa.concat_tables(tables)
    tensor_type = table.schema.field("tensor").type
    assert isinstance(tensor_type, pa.FixedShapeTensorType)
    assert tensor_type.extension_name == "arrow.fixed_shape_tensor"
    assert list(tensor_type.shape) == [2, 3]
    assert tensor_type.value_type == pa.float32()
    pixels_type = table.schema.field("pixels").type
    assert isinstance(pixels_type, pa.FixedShapeTensorType)
    assert list(pixels_type.shape) == [3, 2, 2]
    assert pixels_type.value_type == pa.uint8()

    ids = table.column("id").to_numpy()
    n = len(ids)
    tensors = table.column("tensor").combine_chunks().to_numpy_ndarray()
    assert tensors.shape == (n, 2, 3)
    assert tensors.dtype == np.float32
    expected = (6 * ids[:, None] + np.arange(6)[None, :]).astype(np.float32).reshape(n, 2, 3)
    np.testing.assert_array_equal(tensors, expected)

    pixels = table.column("pixels").combine_chunks().to_numpy_ndarray()
    assert pixels.shape == (n, 3, 2, 2)
    assert pixels.dtype == np.uint8
    expected_pixels = ((12 * ids[:, None] + np.arange(12)[None, :]) % 256).astype(np.uint8)
    np.testing.assert_array_equal(pixels, expected_pixels.reshape(n, 3, 2, 2))


@pytest.mark.parametrize("fmt", ["parquet", "arrow"])
def test_java_shards_hold_every_row_once_with_binary_and_list_values(fmt):
    table = pa.concat_tables([read_shard(p) for p in java_shards(fmt)])
    rows = table.select(["id", "name", "image", "tokens"]).to_pylist()
    assert sorted(r["id"] for r in rows) == list(range(len(rows)))
    for r in rows:
        i = r["id"]
        assert r["name"] == "row-%d" % i
        assert r["image"] == bytes([i % 256, 1, 2])
        assert r["tokens"] == [i, i + 1][: i % 3]


def py_table():
    ids = np.arange(PY_ROWS, dtype=np.int64)
    emb = (8 * ids[:, None] + np.arange(8)[None, :]).astype(np.float32).reshape(PY_ROWS, 4, 2)
    img = ((12 * ids[:, None] + np.arange(12)[None, :]) % 256).astype(np.uint8)
    img = img.reshape(PY_ROWS, 2, 2, 3)
    return pa.table({
        "id": pa.array(ids),
        "emb": pa.FixedShapeTensorArray.from_numpy_ndarray(emb),
        "img": pa.FixedShapeTensorArray.from_numpy_ndarray(img),
        "caption": pa.array(["caption %d" % i for i in ids]),
    })


def test_pyarrow_writes_tensor_files_for_java():
    out = os.path.join(DIR, "py")
    os.makedirs(out, exist_ok=True)
    table = py_table()
    pq.write_table(table, os.path.join(out, "tensors.parquet"), row_group_size=16)
    for name, options in [("tensors.arrow", None),
                          ("tensors-zstd.arrow", pa.ipc.IpcWriteOptions(compression="zstd"))]:
        with pa.OSFile(os.path.join(out, name), "wb") as sink:
            with pa.ipc.new_file(sink, table.schema, options=options) as writer:
                for batch in table.to_batches(max_chunksize=16):
                    writer.write_batch(batch)
    # The files round-trip in pyarrow itself, tensor type included.
    back = pq.read_table(os.path.join(out, "tensors.parquet"))
    assert isinstance(back.schema.field("emb").type, pa.FixedShapeTensorType)
    assert back.column("emb").combine_chunks().to_numpy_ndarray().shape == (PY_ROWS, 4, 2)
