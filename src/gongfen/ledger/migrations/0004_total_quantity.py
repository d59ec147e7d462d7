"""Maintained totals gain the measure (Σ quantity) that ratio/band/rank leaves score (scoring-v2 §5)."""

from collections import defaultdict
from decimal import Decimal

from django.db import migrations, models


def fill_quantities(apps, schema_editor):
    """The measure of every existing total, from its posted entries (signed as the totals are)."""
    Entry = apps.get_model("ledger", "Entry")
    RuleTotal = apps.get_model("ledger", "RuleTotal")
    sums = defaultdict(Decimal)
    rows = Entry.objects.filter(posted=True).values_list(
        "cadre_id", "scheme_id", "rule_id", "period", "kind", "quantity", "sign", "reverses__sign"
    )
    for cadre, scheme, rule, period, kind, quantity, sign, reversed_sign in rows.iterator(chunk_size=5000):
        signed = -(reversed_sign or 1) * quantity if kind == "reversal" else sign * quantity
        sums[(cadre, scheme, rule, period)] += signed
    changed = []
    for total in RuleTotal.objects.all().iterator(chunk_size=5000):
        total.quantity = sums.get((total.cadre_id, total.scheme_id, total.rule_id, total.period), Decimal(0))
        changed.append(total)
    RuleTotal.objects.bulk_update(changed, ["quantity"], batch_size=5000)


class Migration(migrations.Migration):
    dependencies = [
        ("ledger", "0003_entry_withdraw_edit_delete"),
    ]

    operations = [
        migrations.AddField(
            model_name="ruletotal",
            name="quantity",
            field=models.DecimalField(decimal_places=4, default=0, max_digits=24),
        ),
        migrations.RunPython(fill_quantities, migrations.RunPython.noop),
    ]
