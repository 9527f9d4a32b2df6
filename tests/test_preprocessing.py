"""Scalers against scikit-learn, Keras's to_categorical / pad_sequences examples, multi-hot (dense and CSR),
train_test_split and KFold against scikit-learn's folds."""
import numpy as np
import pytest
import scipy.sparse
from sklearn import model_selection, preprocessing as skp

from gradkit import backend
from gradkit.errors import ConfigError, DataError, ShapeError
from gradkit.preprocessing import (KFold, MinMaxScaler, StandardScaler, multi_hot, pad_sequences, to_categorical,
                                   train_test_split, vectorize_sequences)


@pytest.fixture
def data(rng):
    x = rng.normal(3.0, 5.0, size=(200, 6)) * rng.uniform(0.01, 100, size=6)
    x[:, 2] = 7.5  # a constant feature: scale 1, no division by zero
    return x[:150], x[150:]


@pytest.mark.parametrize("ours, theirs", [
    (MinMaxScaler(), skp.MinMaxScaler()),
    (MinMaxScaler(feature_range=(-1, 2)), skp.MinMaxScaler(feature_range=(-1, 2))),
    (StandardScaler(), skp.StandardScaler()),
    (StandardScaler(with_mean=False), skp.StandardScaler(with_mean=False)),
])
def test_scalers_match_sklearn(data, ours, theirs):
    train, test = data
    np.testing.assert_allclose(ours.fit_transform(train), theirs.fit_transform(train), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours.inverse_transform(ours.transform(test)), test, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ours.scale_, theirs.scale_, rtol=1e-12)


def test_scaler_hand_values_and_training_only_statistics():
    s = StandardScaler().fit([[1.0, 10.0], [3.0, 10.0]])
    assert s.mean_.tolist() == [2.0, 10.0] and s.var_.tolist() == [1.0, 0.0]
    assert s.transform([[5.0, 12.0]]).tolist() == [[3.0, 2.0]]  # test data uses the training mean and std
    m = MinMaxScaler().fit([[0.0], [4.0]])
    assert m.transform([[1.0], [8.0]]).tolist() == [[0.25], [2.0]]  # not refitted: 8 maps beyond 1


def test_scaler_errors():
    with pytest.raises(ConfigError, match="fit"):
        StandardScaler().transform([[1.0]])
    with pytest.raises(ShapeError, match="fitted on 2 features"):
        MinMaxScaler().fit([[1.0, 2.0]]).transform([[1.0, 2.0, 3.0]])
    with pytest.raises(DataError, match="NaN"):
        StandardScaler().fit([[1.0], [np.nan]])
    with pytest.raises(ConfigError, match="low < high"):
        MinMaxScaler(feature_range=(1, 0))


def test_to_categorical_keras_semantics():
    assert to_categorical([0, 1, 2, 3], num_classes=4).tolist() == np.eye(4).tolist()
    out = to_categorical(np.array([[1], [0]]))  # trailing axis of 1 dropped, classes inferred as max + 1
    assert out.shape == (2, 2) and out.dtype == np.float64 and out.tolist() == [[0, 1], [1, 0]]
    assert to_categorical(np.array([[0, 2], [1, 1]]), 3).shape == (2, 2, 3)
    with pytest.raises(DataError, match=r"\[0, 3\)"):
        to_categorical([0, 3], num_classes=3)
    with pytest.raises(DataError, match="integer"):
        to_categorical([0.5, 1.0])


def test_pad_sequences_keras_examples():
    seqs = [[1], [2, 3], [4, 5, 6]]
    assert pad_sequences(seqs).tolist() == [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
    assert pad_sequences(seqs).dtype == np.int32
    assert pad_sequences(seqs, value=-1).tolist() == [[-1, -1, 1], [-1, 2, 3], [4, 5, 6]]
    assert pad_sequences(seqs, padding="post").tolist() == [[1, 0, 0], [2, 3, 0], [4, 5, 6]]
    assert pad_sequences(seqs, maxlen=2).tolist() == [[0, 1], [2, 3], [5, 6]]
    assert pad_sequences(seqs, maxlen=2, truncating="post").tolist() == [[0, 1], [2, 3], [4, 5]]
    assert pad_sequences([[], [7]], maxlen=2, dtype="float32", value=0.5).tolist() == [[0.5, 0.5], [0.5, 7.0]]
    with pytest.raises(ConfigError, match="padding"):
        pad_sequences(seqs, padding="middle")


def test_vectorize_sequences_dense_and_sparse_agree():
    seqs = [[3, 1, 3], [], [0, 9], [9]]
    dense = vectorize_sequences(seqs, dimension=10)
    assert dense.dtype == np.float32 and dense.shape == (4, 10)
    assert dense[0].tolist() == [0, 1, 0, 1, 0, 0, 0, 0, 0, 0] and dense[1].sum() == 0  # repeats count once
    csr = vectorize_sequences(seqs, dimension=10, sparse=True)
    assert scipy.sparse.isspmatrix_csr(csr) and csr.dtype == np.float32 and csr.shape == (4, 10)
    assert np.array_equal(csr.toarray(), dense) and csr.nnz == 5
    assert np.array_equal(multi_hot(seqs, 10, sparse=True).toarray(), dense)
    with pytest.raises(DataError, match="num_words=10"):
        vectorize_sequences([[10]], dimension=10)


def test_sparse_multi_hot_of_imdb_like_data_is_under_10_percent_of_dense(rng):
    """Reviews with IMDB's length profile (median ~174 words, long tail) over a Zipf vocabulary of 10,000."""
    lengths = np.clip(rng.lognormal(np.log(174), 0.7, size=2500).astype(int), 10, 2500)
    seqs = [np.minimum(rng.zipf(1.3, n), 9999).tolist() for n in lengths]
    csr = vectorize_sequences(seqs, dimension=10000, sparse=True)
    sparse_bytes = csr.data.nbytes + csr.indices.nbytes + csr.indptr.nbytes
    dense_bytes = len(seqs) * 10000 * np.dtype(np.float32).itemsize
    assert sparse_bytes < 0.10 * dense_bytes
    assert np.array_equal(csr[:50].toarray(), vectorize_sequences(seqs[:50], dimension=10000))


def test_train_test_split_rows_stay_paired():
    x, y = np.arange(20).reshape(10, 2), np.arange(10)
    x_train, x_test, y_train, y_test = train_test_split(x, y, test_size=0.3, seed=0)
    assert len(x_test) == 3 and len(x_train) == 7
    assert np.array_equal(x_train[:, 0] // 2, y_train) and np.array_equal(x_test[:, 0] // 2, y_test)
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(10))
    again = train_test_split(x, y, test_size=0.3, seed=0)
    assert np.array_equal(again[3], y_test)
    csr_train, csr_test = train_test_split(scipy.sparse.csr_matrix(x), test_size=3, seed=0)
    assert np.array_equal(csr_test.toarray(), x_test)
    assert train_test_split(y, test_size=0.25, shuffle=False)[1].tolist() == [7, 8, 9]  # ceil(2.5) = 3
    with pytest.raises(DataError, match="different numbers of rows"):
        train_test_split(x, y[:5])


def test_split_without_seed_draws_from_library_rng():
    y = np.arange(50)
    backend.set_seed(3)
    a = train_test_split(y, seed=None)[1]
    backend.set_seed(3)
    assert np.array_equal(train_test_split(y)[1], a)
    assert not np.array_equal(train_test_split(y)[1], a)


@pytest.mark.parametrize("n, k", [(10, 5), (11, 3), (506, 4), (7, 7)])
def test_kfold_matches_sklearn(n, k):
    x = np.zeros((n, 2))
    ours = list(KFold(k).split(x))
    theirs = list(model_selection.KFold(k).split(x))
    assert len(ours) == k == KFold(k).get_n_splits()
    for (tr, va), (str_, sva) in zip(ours, theirs):
        assert np.array_equal(tr, str_) and np.array_equal(va, sva)


def test_shuffled_kfold_partitions_and_repeats():
    folds = list(KFold(4, shuffle=True, seed=0).split(np.zeros(13)))
    vals = np.concatenate([va for _, va in folds])
    assert sorted(vals.tolist()) == list(range(13)) and [len(va) for _, va in folds] == [4, 3, 3, 3]
    for tr, va in folds:
        assert sorted(tr.tolist() + va.tolist()) == list(range(13)) and np.all(np.diff(tr) > 0)
    again = list(KFold(4, shuffle=True, seed=0).split(np.zeros(13)))
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(folds, again))
    assert not np.array_equal(vals, np.arange(13))


def test_kfold_errors():
    with pytest.raises(ConfigError, match="shuffle=False"):
        KFold(3, seed=1)
    with pytest.raises(ConfigError, match="at least 2"):
        KFold(1)
    with pytest.raises(ConfigError, match="more than the 3 samples"):
        list(KFold(5).split(np.zeros(3)))
