"""The compiled bitset kernel of the numba engine, imported only when first used.

Kept in its own module so that importing `matching.scoring` never imports numba, and so that the
kernel is a module-level function, which numba can cache on disk (`cache=True`): a worker loads
the machine code from `__pycache__` instead of compiling it again. It handles the usual layout,
one 64-bit word per kind (up to 64 terms of each kind); `scoring.top_k` sends wider layouts to
the numpy engine, which computes the same numbers with the same operations in the same order.
"""

import numpy as np
from numba import njit, prange, types
from numba.extending import intrinsic


@intrinsic
def popcnt(typingctx, x):
    sig = types.uint64(types.uint64)

    def codegen(context, builder, signature, args):
        return builder.ctpop(args[0])

    return sig, codegen


@njit(cache=True, nogil=True, boundscheck=False)
def _one_buyer(
    i,
    b_bits,
    b_qty,
    b_pmin,
    b_pmax,
    b_lead,
    b_months_per_metre,
    b_lo,
    b_hi,
    b_inv_den,
    e_bits_t,
    e_moq,
    e_cap,
    e_lo,
    e_hi,
    e_inv_width,
    e_lead,
    e_inv_lead,
    w,
    adj_ptr,
    adj_exh,
    adj_factor,
    k,
    out_idx,
    out_score,
    row,
    numeric,
):
    """Score buyer i against every exhibitor and keep its top k (writes out_idx[i], out_score[i]).

    `e_bits_t` is the exhibitors' bitsets transposed, (5, n_exhibitors), so that each kind's words
    lie contiguously and the popcount pass vectorises (AVX-512 VPOPCNTQ where the CPU has it).
    """
    ne = e_bits_t.shape[1]
    wq = w[4]
    wp = w[5]
    wl = w[6]
    # Per facet kind, the weight of one matched term: w_f / n_f (0 when the buyer asked for none).
    n0 = popcnt(b_bits[i, 0])
    n1 = popcnt(b_bits[i, 1])
    n2 = popcnt(b_bits[i, 2])
    n3 = popcnt(b_bits[i, 3])
    c0 = w[0] / n0 if n0 > 0 else 0.0
    c1 = w[1] / n1 if n1 > 0 else 0.0
    c2 = w[2] / n2 if n2 > 0 else 0.0
    c3 = w[3] / n3 if n3 > 0 else 0.0
    e0 = e_bits_t[0]
    e1 = e_bits_t[1]
    e2 = e_bits_t[2]
    e3 = e_bits_t[3]
    e4 = e_bits_t[4]
    b0 = b_bits[i, 0]
    b1 = b_bits[i, 1]
    b2 = b_bits[i, 2]
    b3 = b_bits[i, 3]
    b4 = b_bits[i, 4]
    qty = b_qty[i]
    has_qty = qty == qty
    pmax_b = b_pmax[i]
    has_price = b_pmin[i] == b_pmin[i] or pmax_b == pmax_b
    lead_b = b_lead[i]
    has_lead = lead_b == lead_b
    mpm = b_months_per_metre[i]
    lo_b = b_lo[i]
    hi_b = b_hi[i]
    inv_den = b_inv_den[i]
    # Pass 1, plain floats (the compiler vectorises it): quantity, price, lead time, and
    # the two numeric hard rules (MOQ above the order, lowest price above the buyer's ceiling).
    for j in range(ne):
        cap = e_cap[j]
        q = min(cap * mpm, 1.0)
        q = q if cap == cap else 0.5
        lo_e = e_lo[j]
        inv_w = e_inv_width[j]
        overlap = min(e_hi[j], hi_b) - max(lo_e, lo_b)
        r = min(max(overlap * inv_w, 0.0), 1.0)
        point = 1.0 if ((lo_b <= lo_e) & (lo_e <= hi_b)) else 0.0
        p = r if inv_w > 0.0 else point
        p = p if lo_e == lo_e else 0.5
        lead_e = e_lead[j]
        lt = 1.0 if lead_e <= lead_b else lead_b * e_inv_lead[j]
        lt = lt if lead_e == lead_e else 0.5
        v = (wq * q if has_qty else 0.0) + (wp * p if has_price else 0.0)
        v = v + (wl * lt if has_lead else 0.0)
        excluded = (e_moq[j] > qty) | (lo_e > pmax_b)
        numeric[j] = -1.0 if excluded else v
    # Pass 2, bitsets (vectorised too): facet overlap by popcount, the certification rule.
    for j in range(ne):
        m0 = popcnt(b0 & e0[j])
        m1 = popcnt(b1 & e1[j])
        m2 = popcnt(b2 & e2[j])
        m3 = popcnt(b3 & e3[j])
        missing = b4 & ~e4[j]
        num = m0 * c0 + m1 * c1
        num = num + m2 * c2
        num = num + m3 * c3
        v = numeric[j]
        kept = (m0 + m1 + m2 + m3 != 0) & (missing == 0) & (v >= 0.0)
        row[j] = (num + v) * inv_den if kept else -1.0
    for a in range(adj_ptr[i], adj_ptr[i + 1]):
        j = adj_exh[a]
        if row[j] >= 0.0:
            row[j] = row[j] * adj_factor[a] if adj_factor[a] > 0.0 else -1.0
    # Streaming top-k: ascending j, strict comparisons, so equal scores keep the lower id first.
    count = 0
    for j in range(ne):
        s = row[j]
        if s < 0.0:
            continue
        if count == k and s <= out_score[i, k - 1]:
            continue
        pos = count if count < k else k - 1
        while pos > 0 and out_score[i, pos - 1] < s:
            out_score[i, pos] = out_score[i, pos - 1]
            out_idx[i, pos] = out_idx[i, pos - 1]
            pos -= 1
        out_score[i, pos] = s
        out_idx[i, pos] = j
        if count < k:
            count += 1


@njit(cache=True, nogil=True, boundscheck=False)
def kernel(
    b_bits,
    b_qty,
    b_pmin,
    b_pmax,
    b_lead,
    b_months_per_metre,
    b_lo,
    b_hi,
    b_inv_den,
    e_bits_t,
    e_moq,
    e_cap,
    e_lo,
    e_hi,
    e_inv_width,
    e_lead,
    e_inv_lead,
    w,
    adj_ptr,
    adj_exh,
    adj_factor,
    k,
    out_idx,
    out_score,
):
    """Every buyer in turn, on one thread, reusing the work buffers."""
    nb = b_bits.shape[0]
    ne = e_bits_t.shape[1]
    row = np.empty(ne, dtype=np.float64)
    numeric = np.empty(ne, dtype=np.float64)
    for i in range(nb):
        _one_buyer(
            i,
            b_bits,
            b_qty,
            b_pmin,
            b_pmax,
            b_lead,
            b_months_per_metre,
            b_lo,
            b_hi,
            b_inv_den,
            e_bits_t,
            e_moq,
            e_cap,
            e_lo,
            e_hi,
            e_inv_width,
            e_lead,
            e_inv_lead,
            w,
            adj_ptr,
            adj_exh,
            adj_factor,
            k,
            out_idx,
            out_score,
            row,
            numeric,
        )


@njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def kernel_parallel(
    b_bits,
    b_qty,
    b_pmin,
    b_pmax,
    b_lead,
    b_months_per_metre,
    b_lo,
    b_hi,
    b_inv_den,
    e_bits_t,
    e_moq,
    e_cap,
    e_lo,
    e_hi,
    e_inv_width,
    e_lead,
    e_inv_lead,
    w,
    adj_ptr,
    adj_exh,
    adj_factor,
    k,
    out_idx,
    out_score,
):
    """The same on every core: buyers are independent, so the results are identical."""
    nb = b_bits.shape[0]
    ne = e_bits_t.shape[1]
    for i in prange(nb):
        row = np.empty(ne, dtype=np.float64)
        numeric = np.empty(ne, dtype=np.float64)
        _one_buyer(
            i,
            b_bits,
            b_qty,
            b_pmin,
            b_pmax,
            b_lead,
            b_months_per_metre,
            b_lo,
            b_hi,
            b_inv_den,
            e_bits_t,
            e_moq,
            e_cap,
            e_lo,
            e_hi,
            e_inv_width,
            e_lead,
            e_inv_lead,
            w,
            adj_ptr,
            adj_exh,
            adj_factor,
            k,
            out_idx,
            out_score,
            row,
            numeric,
        )


@njit(cache=True, nogil=True, boundscheck=False)
def _explain_one(
    p, i, j, b_bits, b_qty, b_pmin, b_pmax, b_lead, e_bits, e_moq, e_cap, e_pmin, e_pmax, e_lead,
    cert_start, cert_stop, flags, codes, terms,
):  # fmt: skip
    """The reasons of pair p (buyer i, exhibitor j), straight from the encoded rows.

    The comparisons of `explanation.explain`, one pair at a time: `codes[p]` gets the REASON_*
    flags (`flags` holds their values in the order certified, MOQ, capacity ok, capacity short,
    price in range, price partial, lead time ok, lead time long), `terms[p]` the buyer's bits the
    exhibitor also has.
    """
    code = 0
    requires_cert = False
    for word in range(b_bits.shape[1]):
        terms[p, word] = b_bits[i, word] & e_bits[j, word]
        if cert_start <= word < cert_stop and b_bits[i, word] != 0:
            requires_cert = True
    if requires_cert:
        code |= flags[0]
    qty = b_qty[i]
    moq = e_moq[j]
    if qty == qty and moq == moq and moq <= qty:
        code |= flags[1]
    lead_b = b_lead[i]
    months = max(1.0, lead_b / 30.0) if lead_b == lead_b else 1.0
    cap = e_cap[j]
    if qty == qty and cap == cap:
        code |= flags[2] if cap * months >= qty else flags[3]
    pmin_b = b_pmin[i]
    pmax_b = b_pmax[i]
    pmin_e = e_pmin[j]
    if (pmin_b == pmin_b or pmax_b == pmax_b) and pmin_e == pmin_e:
        lo_b = pmin_b if pmin_b == pmin_b else 0.0
        hi_b = pmax_b if pmax_b == pmax_b else np.inf
        hi_e = e_pmax[j] if e_pmax[j] == e_pmax[j] else pmin_e
        if pmin_e >= lo_b and hi_e <= hi_b:
            code |= flags[4]
        elif pmin_e <= hi_b and hi_e >= lo_b:
            code |= flags[5]
    lead_e = e_lead[j]
    if lead_b == lead_b and lead_e == lead_e:
        code |= flags[6] if lead_e <= lead_b else flags[7]
    codes[p] = code


@njit(cache=True, nogil=True, boundscheck=False)
def explain_pairs(
    buyer_idx, exhibitor_idx, b_bits, b_qty, b_pmin, b_pmax, b_lead, e_bits, e_moq, e_cap, e_pmin,
    e_pmax, e_lead, cert_start, cert_stop, flags, codes, terms,
):  # fmt: skip
    """The reasons of every given pair, on one thread."""
    for p in range(buyer_idx.shape[0]):
        _explain_one(
            p, buyer_idx[p], exhibitor_idx[p], b_bits, b_qty, b_pmin, b_pmax, b_lead, e_bits, e_moq,
            e_cap, e_pmin, e_pmax, e_lead, cert_start, cert_stop, flags, codes, terms,
        )  # fmt: skip


@njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def explain_pairs_parallel(
    buyer_idx, exhibitor_idx, b_bits, b_qty, b_pmin, b_pmax, b_lead, e_bits, e_moq, e_cap, e_pmin,
    e_pmax, e_lead, cert_start, cert_stop, flags, codes, terms,
):  # fmt: skip
    """The same on every core: pairs are independent, so the results are identical."""
    for p in prange(buyer_idx.shape[0]):
        _explain_one(
            p, buyer_idx[p], exhibitor_idx[p], b_bits, b_qty, b_pmin, b_pmax, b_lead, e_bits, e_moq,
            e_cap, e_pmin, e_pmax, e_lead, cert_start, cert_stop, flags, codes, terms,
        )  # fmt: skip


@njit(inline="always")
def _put_big_endian(out, at, value, size):
    for b in range(size):
        out[at + b] = (value >> (8 * (size - 1 - b))) & 0xFF


@njit(cache=True, nogil=True, boundscheck=False, parallel=True)
def copy_rows(out, start, template, offsets, ids, rank, score_bits, codes, terms, buyer, exhibitor):
    """Fill `out[start:]` with PostgreSQL's COPY BINARY image of match rows, one pass, every core.

    `template` is one row with the constant parts already in place (field count, field lengths,
    run id); `offsets` gives where the id (-1: no id column), rank (2 bytes), score (8, its
    float64 bits), reason codes (4), reason terms (raw bytes), buyer id (8) and exhibitor id (8)
    go in a row. Numbers are written big-endian, as COPY BINARY wants.
    """
    row_len = template.shape[0]
    n_bytes = terms.shape[1]
    for p in prange(rank.shape[0]):
        base = start + p * row_len
        for b in range(row_len):
            out[base + b] = template[b]
        if offsets[0] >= 0:
            _put_big_endian(out, base + offsets[0], ids[p], 8)
        _put_big_endian(out, base + offsets[1], rank[p], 2)
        _put_big_endian(out, base + offsets[2], score_bits[p], 8)
        _put_big_endian(out, base + offsets[3], codes[p], 4)
        for b in range(n_bytes):
            out[base + offsets[4] + b] = terms[p, b]
        _put_big_endian(out, base + offsets[5], buyer[p], 8)
        _put_big_endian(out, base + offsets[6], exhibitor[p], 8)
