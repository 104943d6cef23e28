"""World "mobile-release": a feature-flag rollout (a remote-config PR and a #mobile-releases announcement) wakes code
that shipped dark weeks earlier and crashes the Android app on launch for long-time users. A crash handler that
swallows its own errors keeps the crash alerts silent; the first signals are app-store reviews relayed by support
and low-urgency alerts on the sync backend. The incident chases a CDN issue first; the fix is a flag kill switch
and a follow-up PR."""

from __future__ import annotations

import random
import re
from typing import Any

from lookback.sandbox.worlds.builder import WorldBuilder, epoch, iso
from lookback.sandbox.worlds.edits import make_edits
from lookback.sandbox.worlds.noise import DAY, NoiseTeam, TeamSpec, add_chat, add_incidents, add_joins, add_pulls
from lookback.sandbox.worlds.scaffold import (
    HOUR,
    ConfigChange,
    bot_feed,
    config_pulls,
    open_scene,
    page_by_hand,
    story_pull,
    yaml_file,
    yaml_patch,
)
from lookback.sandbox.worlds.story import Change

ANDROID = TeamSpec("mobile", "Mobile", "mobile-apps", "android-app", "mobile-eng",
                   ("workouts", "onboarding", "paywall", "sync", "player"),
                   ("workout player", "paywall screen", "onboarding quiz", "streak widget", "Room migration",
                    "WorkManager job", "Health Connect import", "offline cache", "deep link", "rest timer"),
                   ("Android crash-free sessions below 99.5%", "iOS crash-free sessions below 99.5%",
                    "ANR rate above 0.47%", "cold start p90 above 4s"), "kt")
IOS = TeamSpec("ios", "Mobile", "mobile-apps", "ios-app", "mobile-eng", ("workouts", "onboarding", "paywall", "widgets"),
               ("workout player", "paywall screen", "HealthKit import", "Live Activity", "StoreKit receipt",
                "watch complication"), (), "swift")
SYNC = TeamSpec("sync", "Sync", "sync-api", "sync-api", "sync-backend", ("batch", "sessions", "conflicts"),
                ("sync batch", "conflict resolver", "session token", "upload queue", "workout blob", "dedup key"),
                ("p95 latency above 600ms on /v2/sync/batch", "409 conflict rate above 2%", "upload queue depth high",
                 "Postgres replica lag above 30s"), "go")

STAFF = (("rania", "Rania Aziz"), ("tobias", "Tobias Engel"), ("keiko", "Keiko Sato"), ("dmitri", "Dmitri Volkov"),
         ("camila", "Camila Reyes"), ("elif", "Elif Yildiz"), ("ravi", "Ravi Menon"))
OUTSIDERS = (("sofia", "Sofia Marchetti"), ("kwame", "Kwame Asante"), ("mirela", "Mirela Dragan"),
             ("june", "June Park"))
MOBILE = ["rania", "tobias", "keiko", "dmitri", "camila"]
SYNCERS = ["elif", "ravi"]
SUPPORT = ["sofia", "kwame", "mirela"]

_ROLLOUT = re.compile(r"^(\w+): (android|ios) rollout (\d+)% -> (\d+)%$")
_FLAGS = ("new_paywall_copy", "workout_streaks", "coach_tips_v3", "social_share_card", "health_connect_import",
          "trial_length_experiment", "onboarding_quiz_v2", "music_sync", "referral_banner", "rest_timer_haptics")
_RELEASES = (("5.9.0", "2023-11-27", "Holiday challenges, bug fixes"),
             ("6.0.0", "2023-12-11", "New home screen, streak widget"),
             ("6.1.0", "2024-01-08", "Coach tips v3, faster workout player"),
             ("6.2.0", "2024-01-22", "Health Connect import, paywall copy test"),
             ("6.3.0", "2024-02-05", "Rest timer haptics, accessibility fixes"),
             ("6.4.0", "2024-02-19", "Workout player polish, offline sync v2 (dark, behind offline_sync_v2)"),
             ("6.4.1", "2024-02-28", "Fix paywall price rounding for JPY and TRY"),
             ("6.5.0", "2024-03-11", "Social share cards, iOS offline sync v2 (dark)"))
_REVIEWS = ((5, "Love it", "the streak widget keeps me honest"), (5, "Best workout app", "coach tips are great"),
            (4, "Pretty good", "wish the rest timer was customizable"), (2, "Price went up", "again?"),
            (3, "Ok", "please add Wear OS support"), (1, "Garmin sync", "sync with Garmin has been broken for weeks"),
            (2, "Notifications", "too many reminders"), (5, "Great", "finally a plan that fits my schedule"),
            (1, "Login loop", "can't log in with Apple"), (4, "Solid", "the new player is smooth"))
_CRASH_REVIEWS = (
    ("2024-03-05T19:34:00Z", "Crashes on open", "opens and closes immediately since this afternoon"),
    ("2024-03-05T22:10:00Z", "Won't start", "splash screen then gone. tried restarting my phone"),
    ("2024-03-06T01:48:00Z", "Unusable", "crashes every time I open it. 3 years subscriber"),
    ("2024-03-06T05:20:00Z", "Crash after update?", "app keeps stopping. my offline workouts from the gym are gone?"),
    ("2024-03-06T08:02:00Z", "Keeps stopping", "Android says PocketFit keeps stopping. reinstall didn't help"),
    ("2024-03-06T12:40:00Z", "Refund please", "paying for an app that doesn't open"),
    ("2024-03-06T16:15:00Z", "Crashing", "crashes right after the logo"),
)
_SUPPORT_LINES = (
    "customer can't restore their purchase on {noun}, any ideas?", "refund request for an annual plan, store says pending",
    "user says {noun} lost their history after switching phones", "promo code not applying on iOS checkout",
    "a gym partner asks about bulk licenses, who handles that?", "is {noun} supposed to work without login?",
    "user on Android 9 asks if we still support it", "macro for {noun} questions is outdated, can someone check?",
)



def _version_at(t: float) -> str:
    out = _RELEASES[0][0]
    for v, day, _ in _RELEASES:
        if epoch(day + "T15:00:00Z") + 3 * DAY <= t:
            out = v
    return out


def _flag_change(rng: random.Random) -> ConfigChange:
    flag = rng.choice(_FLAGS)
    path = f"flags/{flag}.yaml"
    platform = rng.choice(("android", "ios"))
    k = rng.random()
    if k < 0.45:
        a, c = rng.choice(((0, 5), (5, 20), (20, 50), (50, 100), (10, 25), (25, 0)))
        return (f"{flag}: {platform} rollout {a}% -> {c}%",
                f"Metrics at {a}% look fine (conversion dashboard, crash-free unchanged)." if c > a else
                "Rolling back while we look at the retention dip.",
                [yaml_file(path, yaml_patch(5, "platforms:", [f"   {platform}:", "     min_version: 6.2.0",
                                                              f"-    rollout: {a}", f"+    rollout: {c}"]))])
    if k < 0.6:
        countries = ", ".join(rng.sample(("US", "CA", "GB", "DE", "FR", "BR", "JP", "AU", "NL", "ES"), 3))
        return (f"{flag}: target [{countries}] only", "Legal asked us to keep this to these markets for now.",
                [yaml_file(path, yaml_patch(10, "targeting:", [" targeting:", "-  countries: all",
                                                               f"+  countries: [{countries}]"]))])
    if k < 0.72:
        name = f"{flag}_{rng.choice(('v2', 'holdout', 'b'))}"
        body = "\n".join([f"+key: {name}", "+owner: growth", "+description: experiment", "+platforms:",
                          "+  android:", "+    rollout: 0", "+  ios:", "+    rollout: 0"])
        return (f"Add {name} flag (0%)", "New experiment, off everywhere until the app versions ship.",
                [yaml_file(f"flags/{name}.yaml", "@@ -0,0 +1,8 @@\n" + body, "added")])
    if k < 0.82:
        body = "\n".join([f"-key: {flag}", "-owner: mobile", "-platforms:", "-  android:", "-    rollout: 100",
                          "-  ios:", "-    rollout: 100"])
        return (f"Remove {flag} (100% for 90 days)", "Code paths removed in the apps; cleaning up the flag.",
                [yaml_file(path, "@@ -1,7 +0,0 @@\n" + body, "removed")])
    if k < 0.92:
        a = rng.choice((50, 34, 20))
        return (f"{flag}: experiment split {a}/{100 - a}", "Per the experiment plan.",
                [yaml_file(path, yaml_patch(14, "variants:", [" variants:", "-  control: 50", f"+  control: {a}",
                                                              "-  treatment: 50", f"+  treatment: {100 - a}"]))])
    return (f"{flag}: update description and owner", "Housekeeping.",
            [yaml_file(path, yaml_patch(1, f"key: {flag}", [f" key: {flag}", "-owner: growth", "+owner: mobile"]))])


def _review_line(rng: random.Random, t: float) -> str:
    stars, title, text = rng.choice(_REVIEWS)
    platform = rng.choice(("Android", "iOS"))
    country = rng.choice(("US", "GB", "DE", "CA", "BR", "AU"))
    return f"{':star:' * stars} *{title}* ({platform} {_version_at(t)}, {country})\n>{text}"


def _release_train(b: WorldBuilder, channel: str, end: float) -> None:
    """Release-train bot lines: submissions, staged rollouts, App Review."""
    for v, day, notes in _RELEASES:
        t0 = epoch(day + "T15:00:00Z")
        steps = [(0, f":package: Android {v} submitted to Google Play. Notes: {notes}"),
                 (0.1, f":package: iOS {v} submitted to App Review"),
                 (1, f":white_check_mark: iOS {v} approved, phased release starts tomorrow"),
                 (1.05, f":android: Android {v} staged rollout 5%"),
                 (2, f":android: Android {v} staged rollout 5% -> 20%"),
                 (3, f":android: Android {v} staged rollout 20% -> 50%"),
                 (4, f":android: Android {v} staged rollout 50% -> 100%")]
        for d, text in steps:
            if t0 + d * DAY < end:
                b.say(channel, t0 + d * DAY + b.rng.uniform(0, 900), "releasebot", text)


_WEAKENING = Change(
    author="dmitri", reviewer="rania", labels=("crash-reporting",),
    title="CrashHandler: never throw while building a crash report",
    body="Last week an NPE inside `CrashHandler.buildReport()` (reading the profile during logout) crashed the crash "
         "handler itself: Android showed the 'keeps stopping' dialog twice and we lost the report anyway.\n\n"
         "The handler must never throw. Building and persisting the report now happen in one `try`; whatever "
         "happens, we hand over to the platform's default handler.",
    files=(("app/src/main/kotlin/com/pocketfit/telemetry/CrashHandler.kt",
            """@@ -18,21 +18,26 @@ class CrashHandler(
     private val defaultHandler = Thread.getDefaultUncaughtExceptionHandler()

     override fun uncaughtException(thread: Thread, error: Throwable) {
-        val report = buildReport(thread, error)
-        uploader.persistForNextLaunch(report)
-        defaultHandler?.uncaughtException(thread, error)
+        try {
+            val report = buildReport(thread, error)
+            uploader.persistForNextLaunch(report)
+        } catch (t: Throwable) {
+            // never crash while reporting a crash
+        } finally {
+            defaultHandler?.uncaughtException(thread, error)
+        }
     }

     private fun buildReport(thread: Thread, error: Throwable): CrashReport =
         CrashReport(
             stacktrace = error.stackTraceToString(),
             thread = thread.name,
             appState = AppState(
                 screen = navigator.currentScreen(),
                 pendingSyncCount = syncStore.pendingCount(),
             ),
         )"""),
           ("app/src/test/kotlin/com/pocketfit/telemetry/CrashHandlerTest.kt",
            """@@ -0,0 +1,12 @@
+class CrashHandlerTest {
+    @Test
+    fun `a failing report still reaches the default handler`() {
+        val default = RecordingHandler()
+        val handler = CrashHandler(uploader = FailingUploader(), defaultHandler = default)
+
+        handler.uncaughtException(Thread.currentThread(), IllegalStateException("boom"))
+
+        assertTrue(default.called)
+    }
+}""")),
)

_CONTRIBUTOR = Change(
    author="keiko", reviewer="tobias", labels=("sync", "feature-flag"),
    title="Offline sync v2: move cached workouts into the new sync queue (behind offline_sync_v2)",
    body="First part of offline sync v2. On launch, when `offline_sync_v2` is on, workouts cached offline move from "
         "`cached_workouts` into `sync_queue_v2`, which the new WorkManager job uploads in batches.\n\n"
         "Off by default; ships dark in 6.4.0. Tested on a fresh install and on a 6.3 upgrade.",
    files=(("app/src/main/kotlin/com/pocketfit/sync/OfflineSyncMigration.kt", """@@ -0,0 +1,20 @@
+package com.pocketfit.sync
+
+class OfflineSyncMigration(private val db: SupportSQLiteDatabase, private val prefs: SyncPrefs) {
+    fun migrateIfNeeded() {
+        if (prefs.queueV2Migrated) return
+        db.beginTransaction()
+        try {
+            db.execSQL("INSERT INTO sync_queue_v2 SELECT * FROM cached_workouts")
+            db.execSQL("DELETE FROM cached_workouts")
+            db.setTransactionSuccessful()
+        } finally {
+            db.endTransaction()
+        }
+        prefs.queueV2Migrated = true
+    }
+}"""),
           ("app/src/main/kotlin/com/pocketfit/PocketFitApp.kt", """@@ -41,6 +41,9 @@ class PocketFitApp : Application() {
         crashHandler.install()
         flags.refresh(timeout = 3.seconds)
+        if (flags.isEnabled("offline_sync_v2")) {
+            OfflineSyncMigration(database.openHelper.writableDatabase, syncPrefs).migrateIfNeeded()
+        }
         WorkManager.getInstance(this).enqueue(syncRequest())
     }"""),
           ("app/src/test/kotlin/com/pocketfit/sync/OfflineSyncMigrationTest.kt", """@@ -0,0 +1,9 @@
+class OfflineSyncMigrationTest {
+    @Test
+    fun `moves cached workouts into the v2 queue`() {
+        val db = testDatabase(schemaVersion = 23, cachedWorkouts = 3)
+        OfflineSyncMigration(db, SyncPrefs.inMemory()).migrateIfNeeded()
+        assertEquals(3, db.count("sync_queue_v2"))
+    }
+}""")),
)

_TRIGGER = Change(
    author="tobias", reviewer="rania", labels=("flags", "rollout"),
    title="offline_sync_v2: roll out to 50% of Android users",
    body="Two weeks of employee dogfooding on 6.4.x and nothing on the crash dashboard for the new code path. Taking "
         "Android (6.4.0+) to 50%; iOS waits for 6.5.0.\n\nI'll announce it in #mobile-releases and watch the "
         "dashboards this afternoon.",
    files=(("flags/offline_sync_v2.yaml", """@@ -1,13 +1,13 @@
 key: offline_sync_v2
 owner: mobile
 description: Queue workouts recorded offline in the v2 sync store
 platforms:
   android:
     min_version: 6.4.0
-    rollout: 0
+    rollout: 50
     allow: [segment:employees]
   ios:
     min_version: 6.5.0
     rollout: 0
     allow: [segment:employees]"""),),
)


def build_mobile_release(scale: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """Build the mobile-release world and its truth; `scale` multiplies the noise only."""
    sc = open_scene(name="mobile-release", seed=2024_03_06, org="pocketfit", team_name="Mobile",
                    page_at="2024-03-06T17:44:00Z", impact_start="2024-03-05T14:05:00Z",
                    noise_teams=("identity", "growth", "platform", "web", "data", "risk"),
                    staff=STAFF, outsiders=OUTSIDERS, scale=scale)
    b, tr, T, start, end = sc.b, sc.tr, sc.T, sc.start, sc.end
    for key, name in (("releasebot", "Release Train"), ("flagbot", "Flags"), ("appbot", "Appbot")):
        b.person(key, name, github=False, is_bot=True)

    # Mobile and sync: PagerDuty, channels, repos -------------------------------------------------------
    m_team = b.team("Mobile")
    m_policy = b.policy("Mobile on-call", m_team, MOBILE[:4])
    svc = b.service("mobile-apps", "Android and iOS apps: crash reporting, vitals, remote config", m_policy, m_team,
                    iso(start - 500 * DAY))
    s_team = b.team("Sync")
    s_policy = b.policy("Sync on-call", s_team, SYNCERS)
    sync_svc = b.service("sync-api", "Workout sync backend (/v2/sync)", s_policy, s_team, iso(start - 450 * DAY))
    mob_ch = b.channel("mobile-eng", "Mobile engineering: Android, iOS", "Mobile team", start - 700 * DAY, "rania")
    mal_ch = b.channel("mobile-alerts", "Pages of mobile-apps", "PagerDuty notifications", start - 400 * DAY, "rania")
    rel_ch = b.channel("mobile-releases", "Release train, staged rollouts, flag changes", "Releases and flags",
                       start - 600 * DAY, "tobias")
    sup_ch = b.channel("support-escalations", "Support -> engineering escalations", "Escalations from support",
                       start - 650 * DAY, "sofia")
    rev_ch = b.channel("app-reviews", "New App Store and Google Play reviews", "Appbot feed", start - 300 * DAY,
                       "sofia")
    sync_ch = b.channel("sync-backend", "Sync backend team", "The sync API", start - 500 * DAY, "elif")
    android = b.repo("android-app", "PocketFit for Android (Kotlin)", iso(start - 900 * DAY))
    ios = b.repo("ios-app", "PocketFit for iOS (Swift)", iso(start - 880 * DAY))
    flags = b.repo("remote-config", "Feature flags and remote config, synced to the flag service on merge",
                   iso(start - 400 * DAY))
    sync_repo = b.repo("sync-api", "Workout sync API", iso(start - 600 * DAY))

    # Their noise ----------------------------------------------------------------------------------------
    n = sc.scale
    mobile = NoiseTeam(ANDROID, MOBILE, android, mob_ch, svc, m_policy)
    add_pulls(b, mobile, 75 * n, start - 60 * DAY, end)
    add_pulls(b, NoiseTeam(IOS, MOBILE, ios, mob_ch, svc, m_policy), 50 * n, start - 60 * DAY, end)
    syncers = NoiseTeam(SYNC, SYNCERS + sc.crowd[:3], sync_repo, sync_ch, sync_svc, s_policy)
    add_pulls(b, syncers, 35 * n, start - 60 * DAY, end)
    growth = sc.team("growth").members
    def synced(pull: dict[str, Any]) -> None:
        """The flag service applies each merged remote-config PR: a change event, and flagbot for rollouts."""
        at, sha7 = epoch(pull["merged_at"]) + 40, pull["merge_commit_sha"][:7]
        m = _ROLLOUT.match(pull["title"])
        if m is None:
            names = ", ".join(f["filename"] for f in pull["files"])
            b.change_event(svc, f"remote-config {sha7} synced: {names}", at, "remote-config sync")
            return
        flag, platform, a, c = m.groups()
        b.change_event(svc, f"Flag {flag} ({platform}) rollout {a}% -> {c}%", at, "remote-config sync",
                       details={"flag": flag, "platform": platform, "from": int(a), "to": int(c)})
        b.say(rel_ch, at + 5, "flagbot", f":triangular_flag_on_post: `{flag}` {platform}: {a}% -> {c}% "
              f"(pocketfit/remote-config@{sha7})")

    config_pulls(b, flags, MOBILE + growth[:3], 55 * n, start - 60 * DAY, end, _flag_change, on_merge=synced)
    links = [h[3:] for h in b.handles if h.startswith("pr:") and b.handles[h]["repo"] in (android, ios, flags)][-150:]
    add_chat(b, mob_ch, MOBILE, ANDROID.nouns + IOS.nouns, 180 * n, start, end, links=links)
    add_chat(b, sync_ch, SYNCERS + sc.crowd[:3], SYNC.nouns, 50 * n, start, end)
    add_chat(b, sup_ch, SUPPORT + MOBILE[:2] + SYNCERS[:1], ANDROID.nouns, 60 * n, start, end, lines=_SUPPORT_LINES,
             thread_rate=0.6)
    add_chat(b, rel_ch, MOBILE + ["june"] + growth[:2], _FLAGS, 20 * n, start, end,
             lines=(":triangular_flag_on_post: {noun} goes to the next rollout step today", "release notes for the next "
                    "train are in the doc", "{noun} is at 100%, thanks all", "holding {noun} until the metrics review"),
             thread_rate=0.2)
    for ch, joiners in ((sup_ch, SUPPORT), (mob_ch, MOBILE + ["june"]), (rev_ch, SUPPORT), (sync_ch, SYNCERS)):
        add_joins(b, ch, joiners, start, end, 3)
    add_incidents(b, mobile, 10 * n, start, epoch("2024-02-05T00:00:00Z"), mal_ch)
    add_incidents(b, syncers, 8 * n, start, end, sc.common["alerts"], incident_channels=False)
    bot_feed(b, rev_ch, "appbot", int(100 * 3 * n), start, end, _review_line)
    _release_train(b, rel_ch, end)

    # Feb 5: the crash handler learns to swallow its own failures ---------------------------------------
    w_at = epoch("2024-02-05T10:20:00Z")
    weak = story_pull(b, android, _WEAKENING, w_at, w_at + 4.8 * HOUR, "weakening", review="good catch",
                      review_comments=(("rania", "should we at least log this somewhere?",
                                        "app/src/main/kotlin/com/pocketfit/telemetry/CrashHandler.kt", 25,
                                        w_at + 3 * HOUR),))
    b.say(mob_ch, w_at + 5 * HOUR, "dmitri", "merged {{url:weakening}}: no more double 'keeps stopping' dialogs",
          template=True)
    tr.add("github", weak, "detection_weakened", must_see=True, group="detection",
           why="the crash handler swallows any failure while building the report; a crash whose state capture fails "
               "is never reported, so crash-free alerts stayed green")

    # Feb 13: offline sync v2 ships dark ------------------------------------------------------------------
    c_at = epoch("2024-02-12T09:00:00Z")
    contrib = story_pull(b, android, _CONTRIBUTOR, c_at, epoch("2024-02-13T16:30:00Z"), "contributor",
                         review="nice, let's dogfood it for a couple of weeks")
    tr.add("github", contrib, "contributor", must_see=True, group="cause",
           why="the launch-time migration (INSERT ... SELECT *) breaks on old workout caches; dormant behind "
               "offline_sync_v2 until the rollout")
    b.say(mob_ch, epoch("2024-02-21T16:05:00Z"), "tobias",
          "offline_sync_v2 is on for employees (segment:employees, 6.4.0+). record a workout offline at the gym and "
          "tell me if anything's weird :muscle:")

    # Mar 5: the rollout, by PR and announcement -----------------------------------------------------
    t_at = epoch("2024-03-04T13:30:00Z")
    merged = epoch("2024-03-05T13:58:00Z")
    trig = story_pull(b, flags, _TRIGGER, t_at, merged, "trigger", review="go for it :rocket:",
                      reviewed=epoch("2024-03-05T09:12:00Z"))
    tr.add("github", trig, "trigger", must_see=True, group="cause",
           why="took offline_sync_v2 to 50% of Android: the migration ran on launch for long-time users and crashed")
    flip = b.change_event(svc, "Flag offline_sync_v2 (android) rollout 0% -> 50%", merged + 40, "remote-config sync",
                          links=[{"href": "{{url:trigger}}", "text": _TRIGGER.title}],
                          details={"flag": "offline_sync_v2", "platform": "android", "from": 0, "to": 50})
    b.templated.append((flip["links"][0], "href"))
    tr.add("pagerduty", flip, "trigger", must_see=False, group="cause", why="the flag service applying the rollout",
           same_fact_as=("github", trig))
    b.say(rel_ch, merged + 45, "flagbot", f":triangular_flag_on_post: `offline_sync_v2` android: 0% -> 50% "
          f"(pocketfit/remote-config@{trig['merge_commit_sha'][:7]})")
    ann = b.say(rel_ch, merged + 240, "tobias",
                ":triangular_flag_on_post: offline_sync_v2 is now on for 50% of Android (6.4.0+). workouts recorded "
                "offline go through the new sync queue. shout here if anything looks off, I'm watching the crash dashboard")
    b.say(rel_ch, merged + 600, "june", ":tada: big one, congrats team", parent=ann)
    tr.add("slack", ann, "trigger", must_see=False, group="cause", why="the rollout announcement",
           same_fact_as=("github", trig))

    # Mar 5-6: quiet signals: the sync backend's low-urgency alerts, reviews, support ---------------------
    low = b.incident(sync_svc, "[sync-api] Android workout uploads 38% below same hour last week", merged + 2.7 * HOUR,
                     urgency="low", responders=[], notify=False, ack_after=None, resolve_after=3 * HOUR,
                     alert_key="sync-api/android-upload-volume", severity="warning")
    tr.add("pagerduty", low, "early_signal", must_see=True, group="detection",
           why="a low-urgency alert on another service: crashing apps stopped uploading workouts")
    b.say(sync_ch, merged + 3.2 * HOUR, "elif", "android upload volume alert again (low urgency). mobile release day? "
          "leaving it")
    low2 = b.incident(sync_svc, "[sync-api] sync sessions from Android 6.4.x down 41% vs 7-day baseline",
                      epoch("2024-03-06T03:10:00Z"), urgency="low", responders=[], notify=False, ack_after=None,
                      resolve_after=4 * HOUR, suppressed=True, alert_key="sync-api/android-sessions", severity="warning")
    tr.add("pagerduty", low2, "early_signal", must_see=False, group="detection",
           why="a second, suppressed low-urgency alert on the sync backend")
    for i, (when, title, text) in enumerate(_CRASH_REVIEWS):
        r = b.say(rev_ch, epoch(when), "appbot", f":star: *{title}* (Android 6.4.1, {('US', 'GB', 'DE', 'BR')[i % 4]})\n>{text}")
        if i == 0:
            tr.add("slack", r, "early_signal", must_see=False, group="reports",
                   why="the first one-star crash review, in the review feed")
    s_at = epoch("2024-03-06T09:12:00Z")
    relay = b.say(sup_ch, s_at, "kwame",
                  "heads up from the Play Store queue: 30+ one-star reviews overnight, all Android: 'closes as soon as I "
                  "open it', 'keeps stopping after the update'. a few mention lost offline workouts. is mobile aware?")
    tr.add("slack", relay, "early_signal", must_see=True, group="reports",
           why="support relays the app-store crash complaints; engineering dismisses them")
    b.say(sup_ch, s_at + 1740, "dmitri", "the crash dashboard is clean for 6.4.x (99.9% crash-free). could be the Samsung "
          "One UI update again like in january? I'll keep an eye", parent=relay)
    b.say(sup_ch, s_at + 2280, "kwame", "ok, tagging them app-crash for now", parent=relay)

    # Mar 6 afternoon: a CDN incident elsewhere (the red herring) -------------------------------------
    web = sc.team("web")
    b.incident(web.service, "[web-frontend] CDN 5xx", epoch("2024-03-06T15:52:00Z"), responders=web.members[:2],
               ack_after=180, resolve_after=78 * 60, alert_key="web-frontend/CDN 5xx",
               notes=[(web.members[0], "Fastly EU POPs returning 503s, their status page confirms", 600.0)])
    b.say(sc.common["eng-help"], epoch("2024-03-06T15:58:00Z"), web.members[0],
          "FYI Fastly is having elevated 503s from EU POPs, web and api.pocketfit.example assets affected, we're on it")

    # The customer report and the page ---------------------------------------------------------------
    r_at = epoch("2024-03-06T17:31:00Z")
    report = b.say(sup_ch, r_at, "sofia",
                   "escalating: 212 Zendesk tickets tagged app-crash since yesterday afternoon, ~95% Android, mostly "
                   "long-time subscribers. reinstalling doesn't help and some lose their offline workouts. paging "
                   "mobile on-call now")
    tr.add("slack", report, "customer_report", must_see=True, group="reports",
           why="support escalates the ticket spike and pages")
    b.say(sup_ch, r_at + 300, "mirela", "same in chat support: crash right after the splash screen", parent=report)
    page_by_hand(b, tr, svc, "Android app crashing on launch for many users (212 tickets)", T,
                 responders=MOBILE[:4], ack_after=120, resolve_after=2.6 * HOUR, manual_by="sofia",
                 description="Android users report the app closing right after the splash screen since "
                             "yesterday afternoon; app-store reviews and Zendesk tickets spiking.",
                 notes=[("rania", "offline_sync_v2 killed on Android at 18:07 UTC; vitals crash rate dropping",
                         1700.0),
                        ("camila", "cause: OfflineSyncMigration fails on pre-5.0 workout caches; CrashHandler "
                                   "swallowed the reports so the crash dashboard showed nothing", 3900.0)],
                 relay=mal_ch, why="support's manual page of mobile on-call")

    inc_ch = b.channel("inc-2024-03-06-android-launch-crash", "Incident: Android launch crashes", "Incident response",
                       T + 50, "rania")
    chat: tuple[tuple[float, str, str], ...] = (
        (0, "rania", "on it: {{incurl:page}}. what do we know?"),
        (45, "sofia", "200+ tickets, Android only, 'crashes on launch'. play store reviews since last night"),
        (130, "dmitri", "the CDN had an incident this afternoon ([web-frontend] CDN 5xx). if the app can't fetch remote "
                        "config at launch, maybe it crashes?"),
        (300, "keiko", "config fetch has a 3s timeout and falls back to bundled defaults, shouldn't crash. checking CDN "
                       "logs anyway"),
        (520, "ravi", "api.pocketfit.example is behind the same Fastly service, sync requests from EU did see 503s 15:50-17:05"),
        (640, "keiko", "CDN is back to baseline since 17:10 and tickets keep coming, from the US too. not the CDN"),
        (760, "rania", "the crash dashboard says Android 6.4.x is 99.9% crash-free?? our crash reporting says we're fine"),
        (900, "camila", "Play Console vitals disagree: user-perceived crash rate 5.8% on 6.4.1 since yesterday ~14:00. "
                        "top cluster: SQLiteException in OfflineSyncMigration.migrateIfNeeded"),
        (1000, "tobias", "OfflineSyncMigration only runs with offline_sync_v2 on, and I took it to 50% yesterday at "
                         "14:00 UTC: {{url:trigger}}"),
        (1060, "tobias", "killing the flag on Android now"),
        (1380, "tobias", "offline_sync_v2 android at 0%. new launches skip the migration"),
        (1700, "rania", "vitals (delayed) crash rate dropping, support sees fewer new tickets"),
        (2500, "keiko", "it's `INSERT INTO sync_queue_v2 SELECT * FROM cached_workouts`: installs from before 5.0 still "
                        "have the old hr_samples_json column, so SELECT * has one value too many. from {{url:contributor}}"),
        (3100, "camila", "and the crash dashboard is blind because the handler reads syncStore.pendingCount() from the same "
                         "broken DB, that throws inside the handler and {{url:weakening}} swallows it"),
        (3400, "rania", "follow-up PR for the migration + handler, and a 6.4.2 hotfix tomorrow"),
    )
    for off, who, text in chat:
        m = b.say(inc_ch, T + 60 + off, who, text, template="{{" in text)
        if "{{url:trigger}}" in text:
            tr.add("slack", m, "response", must_see=True, group="cause",
                   why="a responder ties the crashes to the flag rollout, after the CDN red herring is ruled out")

    # The fix: kill switch, a PR that pins the flag, and the follow-up in the app -------------------------
    kill = b.change_event(svc, "Flag offline_sync_v2 (android) rollout 50% -> 0% by Tobias Engel (kill switch)",
                          T + 60 + 1370, "flag console",
                          details={"flag": "offline_sync_v2", "platform": "android", "from": 50, "to": 0,
                                   "actor": "tobias"})
    tr.add("pagerduty", kill, "fix", must_see=True, group="cause", why="the flag rollback that stopped the crashes")
    b.say(rel_ch, T + 60 + 1372, "flagbot", ":triangular_flag_on_post: `offline_sync_v2` android: 50% -> 0% "
          "(kill switch, Tobias Engel)")
    pin = story_pull(b, flags, Change(
        author="tobias", reviewer="rania", labels=("flags", "incident"),
        title="offline_sync_v2: pin Android at 0% until 6.4.2",
        body="Codifies the kill switch from incident {{incurl:page}} (flag console, 18:07 UTC). Partly reverts "
             "{{url:trigger}}; `min_version` moves to 6.4.2, which carries the migration fix.",
        files=(("flags/offline_sync_v2.yaml", """@@ -4,9 +4,9 @@ description: Queue workouts recorded offline in the v2 sync store
 platforms:
   android:
-    min_version: 6.4.0
-    rollout: 50
+    min_version: 6.4.2
+    rollout: 0
     allow: [segment:employees]"""),)), T + 1.2 * HOUR, T + 1.6 * HOUR, "pin")
    synced(pin)
    tr.add("github", pin, "fix", must_see=False, group="cause", why="the PR that keeps the flag rolled back",
           same_fact_as=("pagerduty", kill))
    follow = story_pull(b, android, Change(
        author="keiko", reviewer="camila", labels=("bug", "incident", "crash-reporting"),
        title="Fix OfflineSyncMigration on pre-5.0 caches; report crashes even when app state can't be read",
        body="Fixes the launch crash of incident {{incurl:page}}, introduced by {{url:contributor}} and exposed by "
             "{{url:trigger}}:\n\n- the migration names its columns instead of `SELECT *`, and a failure disables "
             "the migration instead of crashing the launch\n- `CrashHandler` (see {{url:weakening}}) captures app "
             "state field by field with `runCatching`, so a broken DB no longer drops the whole report\n"
             "- test on a schema-18 (4.x) database",
        files=(("app/src/main/kotlin/com/pocketfit/sync/OfflineSyncMigration.kt", """@@ -6,6 +6,12 @@ class OfflineSyncMigration(private val db: SupportSQLiteDatabase, private val prefs: SyncPrefs) {
         db.beginTransaction()
         try {
-            db.execSQL("INSERT INTO sync_queue_v2 SELECT * FROM cached_workouts")
+            db.execSQL(
+                "INSERT INTO sync_queue_v2 (id, started_at, ended_at, kind, payload, device_id, user_id) " +
+                    "SELECT id, started_at, ended_at, kind, payload, device_id, user_id FROM cached_workouts",
+            )
             db.execSQL("DELETE FROM cached_workouts")
             db.setTransactionSuccessful()
+        } catch (e: SQLiteException) {
+            prefs.queueV2Disabled = true
+            CrashHandler.reportNonFatal(e)
         } finally {"""),
               ("app/src/main/kotlin/com/pocketfit/telemetry/CrashHandler.kt", """@@ -18,26 +18,28 @@ class CrashHandler(
     override fun uncaughtException(thread: Thread, error: Throwable) {
         try {
             val report = buildReport(thread, error)
             uploader.persistForNextLaunch(report)
         } catch (t: Throwable) {
-            // never crash while reporting a crash
+            uploader.persistMinimal(error, thread, reportFailure = t)
         } finally {
             defaultHandler?.uncaughtException(thread, error)
         }
     }
@@ -40,7 +42,7 @@ class CrashHandler(
             appState = AppState(
-                screen = navigator.currentScreen(),
-                pendingSyncCount = syncStore.pendingCount(),
+                screen = runCatching { navigator.currentScreen() }.getOrNull(),
+                pendingSyncCount = runCatching { syncStore.pendingCount() }.getOrNull(),
             ),""")),
    ), T + 18 * HOUR, T + 26 * HOUR, "follow")
    tr.add("github", follow, "fix", must_see=True, group="cause",
           why="the follow-up: fixes the migration and makes the crash handler report again")
    b.say(rel_ch, T + 28 * HOUR, "releasebot", ":package: Android 6.4.2 (hotfix) submitted to Google Play. Notes: "
          "fix a crash on launch for some long-time users")
    # A distractor near the incident: another flag flip in the same repo by the same author.
    distractor = story_pull(b, flags, Change(
        author="tobias", reviewer="keiko", labels=("flags",),
        title="rest_timer_haptics: android rollout 20% -> 100%",
        body="No complaints at 20% for a week.",
        files=(("flags/rest_timer_haptics.yaml", yaml_patch(5, "platforms:", ["   android:", "     min_version: 6.3.0",
                                                                              "-    rollout: 20",
                                                                              "+    rollout: 100"])),)),
        epoch("2024-03-01T10:00:00Z"), epoch("2024-03-01T14:30:00Z"), "distractor")
    synced(distractor)

    world = b.finalize()
    world["edits"] = make_edits(
        b, world, [mob_ch, sup_ch, sc.common["deploys"]], svc, MOBILE[:3], android,
        titles=("Document the flag kill switch in the release runbook",
                "Alert when Play vitals and crash reports disagree"),
        doc=("Kill switch", "Set the flag to 0% in the flag console, then codify it in remote-config."),
        doc_path="docs/runbooks/kill-switch-{n}.md",
        test_fire="[mobile-apps] Play vitals crash rate diverges from crash reports (test fire)")
    return world, tr.to_dict()
