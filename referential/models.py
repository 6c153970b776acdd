"""The French territories: State levels (régions, départements) and collectivités (Authority)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.db.models import Case, Exists, OuterRef, Q, Value, When

from core.text import PREFIX_SENTINEL, search_key
from core.validators import validate_siret
from referential.enums import AuthorityKind, EpciNature, Zone
from referential.scope import TerritorialScope

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


def scope_of(user: AbstractBaseUser | AnonymousUser) -> TerritorialScope:
    """The user's scope; anonymous and membership-less users have the empty scope."""
    scope = getattr(user, "scope", None)
    return scope if isinstance(scope, TerritorialScope) else TerritorialScope()


class Region(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    zone = models.CharField(max_length=5, choices=Zone.choices)

    class Meta:
        ordering = ["name"]
        verbose_name = "région"

    def __str__(self) -> str:
        return self.name


class DepartmentQuerySet(models.QuerySet["Department"]):
    def for_user(self, user: Any) -> DepartmentQuerySet:
        scope = scope_of(user)
        if scope.national:
            return self
        return self.filter(
            Q(pk__in=scope.department_ids)
            | Q(region_id__in=scope.region_ids)
            | Q(pk__in=AuthorityDepartment.objects.filter(authority_id__in=scope.authority_ids).values("department_id"))
        )


class Department(models.Model):
    code = models.CharField("code INSEE", max_length=3, unique=True)
    name = models.CharField("nom", max_length=100)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departments")
    zone = models.CharField(max_length=5, choices=Zone.choices)
    # The name after INSEE's link word: "de l'Isère", "du Rhône" — "Préfecture de l'Isère".
    name_with_link = models.CharField("nom avec son mot de liaison", max_length=110, blank=True, default="")

    objects = DepartmentQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "département"

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def of_name(self) -> str:
        """The name with its link word: "de l'Isère", "du Rhône", "de la Haute-Garonne"."""
        return self.name_with_link or f"de {self.name}"

    @property
    def prefecture_name(self) -> str:
        """ "Préfecture de l'Isère" (the official name kept in `Prefecture` comes first)."""
        prefecture = getattr(self, "prefecture", None)
        return prefecture.name if prefecture is not None else f"Préfecture {self.of_name}"

    @property
    def prefect_title(self) -> str:
        """ "Le préfet de l'Isère", who signs the département's decisions."""
        return f"Le préfet {self.of_name}"


class AuthorityQuerySet(models.QuerySet["Authority"]):
    def for_user(self, user: Any) -> AuthorityQuerySet:
        """Collectivités a user may open: their own (with an EPCI's member communes), or those of
        their département or région."""
        scope = scope_of(user)
        if scope.national:
            return self
        in_territory = AuthorityDepartment.objects.filter(authority=OuterRef("pk")).filter(
            Q(department_id__in=scope.department_ids) | Q(department__region_id__in=scope.region_ids)
        )
        own = scope.authority_ids
        return self.filter(Q(pk__in=own) | Q(epci_id__in=own) | Q(ept_id__in=own) | Exists(in_territory))

    def search(self, query: str, *, limit: int = 20) -> list[Authority]:
        """Find collectivités by name (accents and case ignored), INSEE code, SIREN or postcode.

        Every branch is answered from an index: exact codes, or a prefix range on `search_name`.
        Largest populations first, so that "Saint" offers the towns people mean.
        """
        # PostgreSQL refuses NUL characters in query parameters ("2A\x00" would reach the code branch).
        text = query.replace("\x00", "").strip()
        if not text:
            return []
        compact = text.replace(" ", "")
        # An exact code comes before the other matches (63113 is Clermont-Ferrand's INSEE code
        # and Picherande's postcode).
        rank: Case | Value = Value(1)
        if compact.isdigit() or (len(compact) in (2, 3, 5) and compact[:2].upper() in ("2A", "2B")):
            code = compact.upper()
            if len(code) == 9:
                matches = self.filter(siren=code)
            else:
                by_postcode = Postcode.objects.filter(code=code).values("authority_id")
                matches = self.filter(Q(insee_code=code) | Q(pk__in=by_postcode))
                rank = Case(When(insee_code=code, then=Value(0)), default=Value(1))
        else:
            key = search_key(text)
            if not key:
                return []
            matches = self.filter(search_name__gte=key, search_name__lt=key + PREFIX_SENTINEL)
        ordered = matches.alias(rank=rank).select_related("department").order_by("rank", "-population", "name", "pk")
        return list(ordered[:limit])


class Authority(models.Model):
    """A collectivité territoriale: commune, EPCI (or EPT), département or région."""

    kind = models.CharField("type", max_length=12, choices=AuthorityKind.choices)
    name = models.CharField("nom", max_length=200)
    search_name = models.CharField(max_length=200, editable=False)
    insee_code = models.CharField("code INSEE", max_length=5, blank=True, default="")
    siren = models.CharField("SIREN", max_length=9, blank=True, default="")
    epci_nature = models.CharField("nature de l'EPCI", max_length=5, choices=EpciNature.choices, blank=True, default="")
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    # The main département: the commune's, the département itself, the most populated one an
    # EPCI spans. None for a région. All départements concerned are in `departments`.
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="main_authorities"
    )
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="authorities")
    epci = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member_communes",
        limit_choices_to={"kind": AuthorityKind.EPCI},
        verbose_name="EPCI à fiscalité propre",
    )
    ept = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ept_member_communes",
        verbose_name="établissement public territorial",
    )
    departments = models.ManyToManyField(Department, through="AuthorityDepartment", related_name="authorities")

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "collectivité"
        indexes = [
            models.Index(fields=["search_name"], name="authority_search_name"),
            models.Index(fields=["insee_code"], name="authority_insee_code"),
            models.Index(fields=["siren"], name="authority_siren"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "insee_code"],
                condition=~Q(insee_code=""),
                name="authority_unique_kind_insee_code",
            ),
            models.UniqueConstraint(fields=["siren"], condition=~Q(siren=""), name="authority_unique_siren"),
            models.CheckConstraint(
                condition=Q(kind=AuthorityKind.EPCI, epci_nature__gt="")
                | (~Q(kind=AuthorityKind.EPCI) & Q(epci_nature="")),
                name="authority_epci_nature_iff_epci",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.search_name = search_key(self.name)
        super().save(*args, **kwargs)

    @property
    def kind_label(self) -> str:
        if self.kind == AuthorityKind.EPCI and self.epci_nature:
            return EpciNature(self.epci_nature).label
        return AuthorityKind(self.kind).label

    @property
    def code(self) -> str:
        """The identifier the API and exports use: INSEE code, else SIREN."""
        return self.insee_code or self.siren


class AuthorityDepartment(models.Model):
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE)
    department = models.ForeignKey(Department, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["authority", "department"], name="authority_department_unique")]
        indexes = [models.Index(fields=["department", "authority"], name="authority_department_by_dep")]

    def __str__(self) -> str:
        return f"{self.authority_id} → {self.department_id}"


class Postcode(models.Model):
    code = models.CharField("code postal", max_length=5, db_index=True)
    authority = models.ForeignKey(Authority, on_delete=models.CASCADE, related_name="postcodes")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["code", "authority"], name="postcode_unique")]

    def __str__(self) -> str:
        return self.code


class Operator(models.Model):
    """An organisation carrying actions (usually an association), identified by its SIRET."""

    name = models.CharField("nom", max_length=200)
    siret = models.CharField("SIRET", max_length=14, unique=True)
    rna = models.CharField("numéro RNA", max_length=10, blank=True, default="")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "opérateur"

    def __str__(self) -> str:
        return self.name


class ReferentialImport(models.Model):
    """One run of `import_referential` that changed something; the newest gives the vintage."""

    vintage = models.CharField("millésime", max_length=4)
    source = models.CharField(max_length=100)
    imported_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)
    duration_seconds = models.FloatField()

    class Meta:
        ordering = ["-imported_at"]
        get_latest_by = "imported_at"

    def __str__(self) -> str:
        return f"{self.vintage} ({self.imported_at:%d/%m/%Y})"


class Prefecture(models.Model):
    """The préfecture of a département as its letters and the open-data files name it: its official
    name, its address (the place of its decisions) and its SIRET (the attributing authority of the
    SCDL file). Kept by an administrator; without it, `Department.prefecture_name` is used."""

    department = models.OneToOneField(Department, on_delete=models.PROTECT, related_name="prefecture")
    name = models.CharField("nom officiel", max_length=200)
    siret = models.CharField("SIRET", max_length=14, validators=[validate_siret])
    street = models.CharField("adresse", max_length=200, blank=True, default="")
    postcode = models.CharField("code postal", max_length=5, blank=True, default="")
    city = models.CharField("commune", max_length=100, blank=True, default="")

    class Meta:
        ordering = ["department__code"]
        verbose_name = "préfecture"
        verbose_name_plural = "préfectures"

    def __str__(self) -> str:
        return self.name
