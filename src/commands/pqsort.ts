/**
 * Redis's partial quicksort (pqsort.c, NetBSD's qsort after Bentley and McIlroy, "Engineering a
 * Sort Function", taught to leave alone the parts that fall outside a range of indexes). SORT
 * ... BY ... LIMIT uses it. It is not stable, so where the comparison finds elements equal
 * (SORT ... BY ... ALPHA with equal weights) the order they come out in is this algorithm's
 * own: porting it step for step is what makes ours match Redis's.
 *
 * @example
 * ```ts
 * import { pqsort } from "./pqsort.ts";
 * const a = [5, 3, 9, 1, 7, 2, 8, 6, 4];
 * pqsort(a, (x, y) => x - y, 0, 2);
 * a.slice(0, 3); // [1, 2, 3]: the rest is partitioned, not necessarily sorted
 * ```
 * @module
 */

/** Compares two elements: negative, zero or positive, as C's qsort comparators. */
export type Compare<T> = (a: T, b: T) => number;

/** Sorts `a` so that indexes `left..right` (inclusive) hold what a full sort would put there. */
export function pqsort<T>(a: T[], cmp: Compare<T>, left: number, right: number): void {
  partialSort(a, 0, a.length, cmp, left, right);
}

function swap<T>(a: T[], i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}

function swapRuns<T>(a: T[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

/** The index of the median of three elements, with qsort's order of comparisons. */
function median3<T>(a: T[], i: number, j: number, k: number, cmp: Compare<T>): number {
  return cmp(a[i]!, a[j]!) < 0
    ? (cmp(a[j]!, a[k]!) < 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? k : i))
    : (cmp(a[j]!, a[k]!) > 0 ? j : (cmp(a[i]!, a[k]!) < 0 ? i : k));
}

function insertionSort<T>(a: T[], base: number, n: number, cmp: Compare<T>): void {
  for (let m = base + 1; m < base + n; m++) {
    for (let l = m; l > base && cmp(a[l - 1]!, a[l]!) > 0; l--) swap(a, l, l - 1);
  }
}

/** Whether `base..base+n-1` overlaps `left..right`, the part the caller wants sorted. */
function wanted(base: number, n: number, left: number, right: number): boolean {
  const last = base + n - 1;
  return !((left < base && right < base) || (left > last && right > last));
}

/** `_pqsort` on `a[base..base+n-1]`. */
function partialSort<T>(
  a: T[],
  base: number,
  n: number,
  cmp: Compare<T>,
  left: number,
  right: number,
): void {
  for (;;) {
    if (n < 7) return insertionSort(a, base, n, cmp);
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let swapped = false;
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = cmp(a[pb]!, a[base]!)) <= 0) {
        if (c === 0) {
          swapped = true;
          swap(a, pa++, pb);
        }
        pb++;
      }
      while (pb <= pc && (c = cmp(a[pc]!, a[base]!)) >= 0) {
        if (c === 0) {
          swapped = true;
          swap(a, pc, pd--);
        }
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
      swapped = true;
    }
    // Nothing moved: the run was already in order, as far as the pivot tells.
    if (!swapped) return insertionSort(a, base, n, cmp);
    const end = base + n;
    let r = Math.min(pa - base, pb - pa);
    swapRuns(a, base, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(a, pb, end - r, r);
    r = pb - pa;
    if (r > 1 && wanted(base, r, left, right)) partialSort(a, base, r, cmp, left, right);
    r = pd - pc;
    if (r <= 1) return;
    // The upper part in this loop rather than by recursion, as the C code saves stack.
    base = end - r;
    n = r;
    if (!wanted(base, n, left, right)) return;
  }
}
