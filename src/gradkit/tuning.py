"""gradkit's tuning constants in one place: each trades speed for something, and says why it has its value.

None changes a result: they choose how work is cut up (threads, blocks, flat buffers), never what is computed.
Where a number was measured, the comment says on what; where the history records no measurement, it says that.
"""

# ---- threads (backend.batch_parts, backend.dot / dot_t) -------------------------------------------------------
BATCH_PART_MIN_ROWS = 8
"""A batch is cut into at most threads() parts of at least this many rows: a smaller part gives a thread less work
than handing it over costs (Conv/MaxPool/Dense parts, commit 71614bf; no finer measurement recorded)."""

DOT_SPLIT_MIN_WORK = 1 << 24
"""A Dense product is split across threads only from this many multiply-adds (~16M, 0.3 ms): below it, handing parts
to a thread cost more than it saved (an MNIST MLP epoch took 0.8 s split against 0.5 s unsplit, commit 58ec569)."""

# ---- memory (backend.keep_freed_memory) ------------------------------------------------------------------------
MALLOC_MMAP_THRESHOLD = 32 << 20
"""glibc serves blocks up to 32 MiB from the heap, fixed (not mmap, with a moving threshold): a training step frees
and re-allocates the same large arrays, and with glibc's moving thresholds an imdb-lstm epoch page-faulted 13,000 or
600,000 times (10 s or 15 s) depending on earlier allocations (commit 712d55d)."""

MALLOC_TRIM_THRESHOLD = 1 << 30
"""glibc gives freed heap memory back to the kernel only past 1 GiB free, so the next step does not page-fault the
same arrays in again (the same imdb-lstm measurement, commit 712d55d)."""

# ---- convolution windows (autograd.conv.Conv) ---------------------------------------------------------------------
CONV_KEEP_WINDOWS_MAX = 64 << 20
"""A convolution keeps its gathered windows (im2col) from forward to backward only up to 64 MB; bigger ones are
gathered again for dW. A 180×180 convnet's are 100–280 MB each: kept, its fit peaked at 897 MB against PyTorch's
~600; gathering again costs ~4 % of its step (commit 0181797; BENCHMARKS.md, 2026-12-06)."""

CONV_WINDOW_CHUNK = 16 << 20
"""Windows that are not kept are gathered a few samples at a time into buffers of about 16 MB (one per thread, and
as much again for the relu-masked gradient beside them): the 180×180 convnet's fit peak 592 MB with 32 MB buffers,
508 MB with 16 MB, the same step time (BENCHMARKS.md, 2026-12-06 evening)."""

# ---- data (training.batching, training.trainer) -----------------------------------------------------------------
SMALL_DATA_BYTES = 1 << 22
"""Dense data up to 4 MiB (all arrays) is permuted whole once per epoch, then batches are views; larger data is
gathered batch by batch into a reused buffer, so the epoch never copies the data set (the permuted copy of 4 MiB
stays about cache-sized; no measurement of the crossover is recorded, commit 8db1ebb)."""

FULL_EVAL_BATCH = 8192
"""Batch of the full-data loss pass (fit(epoch_loss="full"), Model.loss_function): the course's data sets (Boston
housing, logic gates, the MNIST subsets) go in one or a few passes while a pass's temporaries stay small."""

# ---- optimizers -------------------------------------------------------------------------------------------------
FLAT_MAX_SIZE = 1 << 18
"""Variables totalling more than 262,144 elements are updated one by one: below it, laying all state end to end in
one flat array makes a step a few array calls instead of a few per variable (the course's small MLPs); above it,
copying every gradient into the flat buffer costs more than the calls it saves (commit 8db1ebb; no crossover
measurement recorded)."""

# ---- the compiled step (training.compiled) ----------------------------------------------------------------------
MAX_SIGNATURES = 4
"""A compiled step keeps at most 4 traced input shapes (an epoch needs two: the full batches and the last partial
one) before it falls back to eager for good: batches whose shapes keep changing would otherwise trace every step
(commit 8db1ebb; a bound, not a measured crossover)."""

# ---- recurrent ops (autograd.rnn) -------------------------------------------------------------------------------
RNN_BLOCK_BYTES = 1 << 19
"""The LSTM/GRU backward computes the gate factors of a block of timesteps whose per-step arrays fit in ~512 KiB
at once: per step, ~20 small ufunc calls cost more than the loop; one pass over all steps (13 MB on imdb-lstm)
falls out of cache (commit cd2ba72)."""
