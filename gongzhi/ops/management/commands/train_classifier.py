import time

from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "用已确认（已受理）的事件训练类型、分类、紧急程度的文本分类模型"

    def add_arguments(self, parser):
        parser.add_argument("--min", type=int, default=20, help="每个标注至少的样本数（默认 20）")

    def handle(self, *args, min=20, **opts):
        from gongzhi.events.classify import training_examples
        from gongzhi.textclass.service import model_path, retrain
        t0 = time.perf_counter()
        examples = training_examples()
        self.stdout.write(f"已确认事件 {len(examples)} 条")
        try:
            model = retrain(examples, min_per_head=min)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        for name, head in model.heads.items():
            f1 = f"{head.cv_macro_f1:.3f}" if head.cv_macro_f1 is not None else "—（样本不足以交叉验证）"
            self.stdout.write(f"{name}: {len(head.labels)} 个标注，{head.n} 条，"
                              f"交叉验证 macro-F1 {f1}，温度 {head.temperature}")
        self.stdout.write(f"模型已写入 {model_path()}（{time.perf_counter() - t0:.1f}s）")
