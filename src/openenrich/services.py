"""Everything a process holds for its lifetime, built from `Settings` in one place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import httpx

from openenrich.accounts.auth import Authenticator, RequestLimiter
from openenrich.accounts.idempotency import IdempotencyStore
from openenrich.accounts.keys import load_secret
from openenrich.accounts.provider_keys import ProviderKeys
from openenrich.accounts.revocations import revocation_signal
from openenrich.accounts.subaccounts import SubAccounts
from openenrich.api.idempotency import Idempotency
from openenrich.config import Settings
from openenrich.db import Database, utcnow
from openenrich.domain import Field
from openenrich.enrichment.events import JobEvents
from openenrich.enrichment.extensions import CostEstimator
from openenrich.enrichment.jobs import ContactJobs, Pricing
from openenrich.enrichment.processing import EnrichProcessor, Processor
from openenrich.enrichment.service import JobStarter, ResultReader
from openenrich.people.live import LiveLookups
from openenrich.people.service import PeopleService, Population, Prices
from openenrich.people.synthetic import DEFAULT_COMPANIES
from openenrich.privacy import OptOutList, Privacy, PrivacySettings
from openenrich.privacy.screen import ScreenedFinder, Switches
from openenrich.privacy.subjects import Person
from openenrich.providers.builtin import BuiltinFinder, BuiltinVerifier
from openenrich.providers.sandbox import SandboxProvider
from openenrich.queue.slots import idle, slot_given_back
from openenrich.queue.wake import Wakeup, make_wakeup
from openenrich.queue.worker import WorkerPool
from openenrich.reverse.processor import ReverseEmailProcessor
from openenrich.verification import EmailEngine, SqlFactsStore, VerificationSettings
from openenrich.verification.processor import VerifyEmailProcessor
from openenrich.verification.service import VerifyService
from openenrich.verification.verdict import Verification
from openenrich.waterfall import Waterfall
from openenrich.waterfall.config import WaterfallConfig, load_config
from openenrich.waterfall.factory import build_waterfall
from openenrich.waterfall.own_keys import OwnKeySources
from openenrich.webhooks import WebhookHub, WebhookSettings


def pricing(settings: Settings) -> Pricing:
    return Pricing(
        prices={
            Field.WORK_EMAIL: settings.price_work_email,
            Field.PERSONAL_EMAIL: settings.price_personal_email,
            Field.PHONE: settings.price_phone,
            Field.PROFILE: settings.price_reverse_profile,
            Field.VERIFIED_EMAIL: settings.price_verified_email,
        },
        dedup_window=timedelta(days=settings.dedup_days),
    )


def sandbox_waterfall(settings: Settings) -> Waterfall:
    provider = SandboxProvider(latency=settings.sandbox_latency_ms / 1000)
    return Waterfall({f: [provider] for f in Field.findable()})


def live_waterfall(
    settings: Settings,
    http: httpx.AsyncClient,
    db: Database,
    config: WaterfallConfig,
    verification: VerificationSettings,
) -> tuple[Waterfall, EmailEngine]:
    """The configured sources (`OPENENRICH_CONFIG`); by default the built-in finder and
    SMTP verifier, which share one engine: its SMTP sessions and cached domain facts."""
    # Greylisting retries, and waits behind another contact's probe of the same domain
    # or for a busy mail host's sessions, do not hold a worker slot.
    engine = EmailEngine(verification, SqlFactsStore(db), sleep=idle, waiting=slot_given_back)
    waterfall = build_waterfall(
        config,
        http,
        db=db,
        redis_url=settings.redis_url,
        sleep=idle,
        verifiers=[BuiltinVerifier(engine=engine)],
        extra_providers={"builtin": BuiltinFinder(engine=engine)},
    )
    return waterfall, engine


@dataclass
class Services:
    settings: Settings
    db: Database
    http: httpx.AsyncClient
    secret: bytes
    wakeup: Wakeup
    auth: Authenticator
    limiter: RequestLimiter
    jobs: ContactJobs
    starter: JobStarter
    reader: ResultReader
    webhooks: WebhookHub
    live: Waterfall
    email_engine: EmailEngine
    subaccounts: SubAccounts
    idempotency: Idempotency
    provider_keys: ProviderKeys
    own_keys: OwnKeySources
    estimator: CostEstimator
    verify: VerifyService
    privacy: Privacy
    switches: Switches
    people: PeopleService
    processors: dict[str, Processor] = field(default_factory=dict)

    def worker_pool(self) -> WorkerPool:
        return WorkerPool(
            self.db,
            self.jobs,
            self.wakeup,
            concurrency=self.settings.worker_concurrency,
            lease=timedelta(seconds=self.settings.lease_seconds),
            sweep_interval=self.settings.sweep_interval_seconds,
            housekeeping=[self.purge_expired],
        )

    async def purge_expired(self) -> None:
        """Everything past its retention, store by store, in bounded batches."""
        await self.privacy.purge()
        await self.idempotency.store.purge()

    async def before_erase(self, person: Person) -> None:
        """Buffered call-log rows and cache entries reach the database before it is
        searched."""
        await self.live.flush()

    def after_erase(self, person: Person) -> None:
        """Forget what this process holds in memory of the person's jobs and answers."""
        self.reader.forget(person.enrichment_ids)
        self.live.forget_held()

    async def close(self) -> None:
        await self.live.aclose()  # writes out the last call-log and cache rows
        await self.email_engine.aclose()
        await self.wakeup.close()
        await self.auth.revocations.aclose()
        await self.http.aclose()
        await self.db.dispose()


def build_services(
    settings: Settings,
    *,
    http: httpx.AsyncClient | None = None,
    events: JobEvents | None = None,
    waterfall_config: WaterfallConfig | None = None,
    verification: VerificationSettings | None = None,
    privacy: PrivacySettings | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Services:
    db = Database(settings.database_url)
    privacy_settings = privacy or PrivacySettings()
    client = http or httpx.AsyncClient(timeout=30.0, follow_redirects=False)
    secret = load_secret(settings.secret_key, settings.secret_key_file)
    sandbox = sandbox_waterfall(settings)
    config = waterfall_config or load_config()
    live, email_engine = live_waterfall(
        settings, client, db, config, verification or VerificationSettings()
    )
    provider_keys = ProviderKeys(db, secret, client)
    own_keys = OwnKeySources(
        db, provider_keys, config, live, client, redis_url=settings.redis_url, sleep=idle
    )
    provider_keys.on_change = own_keys.forget
    optouts = OptOutList(db, secret)
    switches = Switches(db)
    # Every source is reached through the opt-out list and the workspace's cache switch.
    finders = {
        True: ScreenedFinder(sandbox, optouts, switches),
        False: ScreenedFinder(live, optouts, switches),
    }
    processors: dict[str, Processor] = {
        "enrich": EnrichProcessor(finders.__getitem__, own_keys=own_keys),
        "reverse_email": ReverseEmailProcessor(
            db,
            finders.__getitem__,
            share_across_workspaces=settings.share_profiles_across_workspaces,
        ),
        # Bulk verification: the shared engine, greylisting retries included.
        "verify_email": VerifyEmailProcessor(email_engine.verify),
    }
    hooks = WebhookHub(WebhookSettings(), db, secret)
    # A contact waiting for other contacts' credit holds gives its worker slot back.
    contact_jobs = ContactJobs(
        db,
        processors,
        events or hooks.outbox,
        pricing(settings),
        sleep=idle,
        screen=optouts,
        keep_profiles=not privacy_settings.minimal_profile_data,
    )
    wakeup = make_wakeup(settings.redis_url)
    starter = JobStarter(db, contact_jobs, hooks, wakeup)

    async def first_attempt(email: str, time_limit: float) -> Verification:
        return await email_engine.verify(email, time_limit=time_limit, retry=False)

    reader = ResultReader(
        db,
        contact_jobs,
        settings.in_progress_as_status,
        settings.result_cache_bytes,
        parent_sees_sub_accounts=settings.parent_sees_sub_accounts,
        retention=timedelta(days=privacy_settings.result_retention_days),
        clock=clock,
    )
    found = Services(
        settings=settings,
        db=db,
        http=client,
        secret=secret,
        wakeup=wakeup,
        auth=Authenticator(
            db, secret, revocation_signal(settings.database_url, settings.redis_url)
        ),
        limiter=RequestLimiter(settings.rate_limit_per_minute, settings.redis_url),
        jobs=contact_jobs,
        starter=starter,
        reader=reader,
        processors=processors,
        webhooks=hooks,
        live=live,
        email_engine=email_engine,
        subaccounts=SubAccounts(db),
        idempotency=Idempotency(IdempotencyStore(db)),
        provider_keys=provider_keys,
        own_keys=own_keys,
        estimator=CostEstimator(db, pricing(settings)),
        verify=VerifyService(
            db,
            starter,
            first_attempt,
            price=settings.price_verified_email,
            timeout=settings.verify_api_timeout_seconds,
        ),
        privacy=Privacy(db, secret, privacy_settings, optouts, clock=clock),
        switches=switches,
        people=PeopleService(
            db,
            Prices(
                search=int(settings.price_search_record * 100),
                lookup=int(settings.price_lookup_record * 100),
            ),
            population=Population(settings.sandbox_people, DEFAULT_COMPANIES),
            share_across_workspaces=settings.share_profiles_across_workspaces,
            screen=optouts,
            # A live key's lookup the store missed goes to the live sources, screened
            # like an enrichment's contact and with the workspace's own keys.
            live=LiveLookups(finders[False], optouts, own_keys),
            clock=clock,
        ),
    )
    found.privacy.before_erase.append(found.before_erase)
    found.privacy.after_erase.append(found.after_erase)
    return found
