"""The text classifier on real data: 2020 泰迪杯 citizen messages (../shared/data/tipdm2020).

    .venv/bin/python bench/classifier.py [--data ../shared/data/tipdm2020]

Trains on the 495-row sample only (its cross-validation chose the model, see
gongzhi/textclass/model.py) and evaluates once on the 921 held-out rows. Prints accuracy, macro-F1,
per-class F1 and the latency of one suggestion (all heads, one message at a time), next to the
data set's published baseline pipeline (jieba words + TF-IDF + LinearSVC) trained in the same run.
Targets from the issue: macro-F1 ≥ 0.85, < 5 ms per message.
"""
import argparse
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.metrics import accuracy_score, f1_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from sklearn.svm import LinearSVC  # noqa: E402

from gongzhi.textclass.model import train  # noqa: E402

ROOT = Path(__file__).resolve().parents[2] / "shared" / "data" / "tipdm2020"


def load(path: Path, label: str) -> list[tuple[str, str, str]]:
    rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
    head = [str(h).strip() if h else "" for h in rows[0]]
    ti, bi, li = head.index("留言主题"), head.index("留言详情"), head.index(label)
    return [(str(r[ti] or "").strip(), re.sub(r"\s+", " ", str(r[bi] or "")).strip(), str(r[li]).strip())
            for r in rows[1:] if r[li] is not None]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT)
    args = ap.parse_args()
    train_rows = load(args.data / "train_sample_495.xlsx", "一级分类")
    eval_rows = load(args.data / "eval_921.xlsx", "一级标签")
    truth = [lab for *_, lab in eval_rows]
    print(f"train {len(train_rows)} rows, evaluate {len(eval_rows)} rows, {len(set(truth))} classes")

    t0 = time.perf_counter()
    model = train([(t, b, {"category": lab}) for t, b, lab in train_rows], source="tipdm2020 sample")
    head = model.heads["category"]
    print(f"ours: trained in {time.perf_counter() - t0:.1f}s; 5-fold CV macro-F1 on the 495: {head.cv_macro_f1:.3f}, "
          f"temperature {head.temperature}")
    predicted = model.predict("category", [(t, b) for t, b, _ in eval_rows])
    ours = f1_score(truth, predicted, average="macro")
    print(f"ours:     accuracy {accuracy_score(truth, predicted):.3f}  macro-F1 {ours:.3f}")
    per_class = f1_score(truth, predicted, average=None, labels=sorted(set(truth)))
    print("          " + "  ".join(f"{lab} {f:.2f}" for lab, f in zip(sorted(set(truth)), per_class, strict=True)))

    base = make_pipeline(TfidfVectorizer(tokenizer=words_list, token_pattern=None, sublinear_tf=True), LinearSVC())
    base.fit([t + " " + b for t, b, _ in train_rows], [lab for *_, lab in train_rows])
    b_pred = base.predict([t + " " + b for t, b, _ in eval_rows])
    baseline = f1_score(truth, b_pred, average="macro")
    print(f"baseline: accuracy {accuracy_score(truth, b_pred):.3f}  macro-F1 {baseline:.3f}   "
          f"(ours − baseline: {ours - baseline:+.3f})")

    times = []
    for t, b, _ in eval_rows[:300]:
        s = time.perf_counter()
        model.suggest(t, b)
        times.append((time.perf_counter() - s) * 1000)
    times.sort()
    p50, p95 = statistics.median(times), times[int(0.95 * len(times))]
    print(f"latency per message: p50 {p50:.2f} ms, p95 {p95:.2f} ms   "
          f"(target < 5 ms: {'MET' if p95 < 5 else 'NOT MET'})")
    print(f"macro-F1 target ≥ 0.85: {'MET' if ours >= 0.85 else 'NOT MET'}")


def words_list(text: str) -> list[str]:
    import jieba  # the published baseline: jieba's defaults (HMM on)
    return [w for w in jieba.lcut(text) if w.strip()]


if __name__ == "__main__":
    main()
