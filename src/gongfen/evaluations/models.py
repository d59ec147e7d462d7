from django.db import models


class Ballot(models.Model):
    """One qualitative grade (定性评价票) given to a cadre under a scheme, for a period, by an evaluator class.

    A ballot never names its voter: who voted is recorded elsewhere (with the
    evaluation rounds), so that grades stay secret.
    """

    scheme = models.ForeignKey("schemes.Scheme", on_delete=models.CASCADE, related_name="ballots")
    period = models.CharField(max_length=10)
    cadre = models.ForeignKey("org.Cadre", on_delete=models.CASCADE, related_name="ballots")
    evaluator_class = models.CharField(max_length=30)
    grade = models.CharField(max_length=30)

    class Meta:
        indexes = [models.Index(fields=["scheme", "period", "cadre"])]
        verbose_name = "评价票"
        verbose_name_plural = "评价票"

    def __str__(self) -> str:
        return f"{self.scheme_id} {self.period} {self.cadre_id} {self.evaluator_class}"
