package io.customerstudio.infra.demo;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The SQL of the demo warehouse, for PostgreSQL or DuckDB. Every value is derived from a stable
 * hash of (row id, seed, salt) turned into a uniform double: on PostgreSQL {@code
 * hashint8extended(id, seed * 1000 + salt)} (the hash partitioning relies on), on DuckDB {@code
 * hash(id + (seed * 1000 + salt) * 1000000000007)}. Rows are a pure function of (seed, users,
 * anchor) on each engine, whatever the order or parallelism of the inserts, with the same
 * distributions, but the two engines' hashes differ, so the same seed gives different rows on
 * PostgreSQL and on DuckDB (same shape and about the same counts, not the same people). Statements
 * take the seed, the anchor and a user-id range as bind values; the schema name is validated and
 * quoted.
 */
final class DemoSql {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  static final int PRODUCTS = 500;

  private final String s;
  private final boolean duckDb;

  DemoSql(String schema) {
    this(schema, false);
  }

  DemoSql(String schema, boolean duckDb) {
    this.duckDb = duckDb;
    if (!IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "demo schema name must match " + IDENTIFIER.pattern() + ", got '" + schema + "'");
    }
    this.s = "\"" + schema + "\"";
  }

  boolean duckDb() {
    return duckDb;
  }

  /**
   * A uniform integer in [0, 2^31) for (id, salt), independent across salts. On DuckDB one value is
   * hashed, {@code id + (seed * 1000 + salt) * 1000000000007} (distinct for ids below 10^12):
   * DuckDB's two-argument {@code hash(id, key)} combines the two hashes so weakly that consecutive
   * salts correlate (measured: r = -0.90 between salts 30 and 31, which halved the purchases).
   */
  private String hash31(String id, String seed, int salt) {
    return duckDb
        ? "(hash(("
            + id
            + ")::bigint + ("
            + seed
            + " * 1000 + "
            + salt
            + ")::bigint * 1000000000007) % 2147483648)"
        : "(hashint8extended(("
            + id
            + ")::bigint, "
            + seed
            + " * 1000 + "
            + salt
            + ") & 2147483647)";
  }

  /** A uniform double in [0, 1) for (id, salt), independent across salts. */
  String rnd(String id, int salt) {
    return "(" + hash31(id, "p.seed", salt) + "::float8 / 2147483648.0)";
  }

  /** {@code at} minus a number of seconds (a double expression), as a timestamptz. */
  private String minusSeconds(String at, String seconds) {
    return duckDb
        ? at + " - to_microseconds(((" + seconds + ") * 1000000)::bigint)"
        : at + " - make_interval(secs => " + seconds + ")";
  }

  /** {@code at} minus a number of days (an integer expression), as a timestamptz. */
  private String minusDays(String at, String days) {
    return duckDb
        ? at + " - to_days((" + days + ")::int)"
        : at + " - make_interval(days => (" + days + ")::int)";
  }

  /** The timestamptz a fraction {@code f} of the way from {@code from} to {@code to}. */
  private String between(String from, String to, String f) {
    return duckDb
        ? "make_timestamptz(epoch_us("
            + from
            + ") + ((epoch_us("
            + to
            + ") - epoch_us("
            + from
            + ")) * ("
            + f
            + "))::bigint)"
        : from + " + (" + to + " - " + from + ") * (" + f + ")";
  }

  /** An amount rounded to cents. */
  private String cents(String amount) {
    return duckDb
        ? "round((" + amount + ")::decimal(12,2), 2)"
        : "round((" + amount + ")::numeric, 2)";
  }

  private String jsonObject() {
    return duckDb ? "json_object" : "jsonb_build_object";
  }

  /** Parameters common to every generating statement: seed, anchor, first and last user id. */
  private static final String PARAMS =
      "(select ?::bigint as seed, ?::timestamptz as anchor, ?::bigint as lo, ?::bigint as hi) p";

  List<String> createTables() {
    List<String> statements = new java.util.ArrayList<>();
    statements.add("create schema if not exists " + s);
    statements.add("drop view if exists " + s + ".consent_latest");
    if (duckDb) {
      // DuckDB drops one table per statement
      for (String table : TABLES) {
        statements.add("drop table if exists " + s + "." + table);
      }
    } else {
      statements.add(
          "drop table if exists "
              + s
              + ".events, "
              + s
              + ".purchases, "
              + s
              + ".consent, "
              + s
              + ".products, "
              + s
              + ".users cascade");
    }
    statements.addAll(
        List.of(
            """
        create table %s.users (
          user_id bigint not null, email text not null, first_name text, last_name text,
          phone text, country text, city text, signup_at timestamptz not null, birth_date date,
          loyalty_member boolean not null, loyalty_tier text, marketing_opt_in boolean not null)"""
                .formatted(s),
            """
        create table %s.products (
          product_id bigint not null, name text not null, category text not null,
          price numeric(10,2) not null)"""
                .formatted(s),
            """
        create table %s.purchases (
          purchase_id bigint not null, user_id bigint not null, product_id bigint not null,
          quantity integer not null, amount numeric(12,2) not null, currency text not null,
          status text not null, purchased_at timestamptz not null)"""
                .formatted(s),
            """
        create table %s.events (
          event_id bigint not null, user_id bigint not null, event_type text not null,
          occurred_at timestamptz not null, properties %s not null)"""
                .formatted(s, duckDb ? "json" : "jsonb"),
            """
        create table %s.consent (
          receipt_id bigint not null, data_subject_identifier text not null,
          purpose text not null, status text not null, collection_point text not null,
          updated_at timestamptz not null)"""
                .formatted(s)));
    return statements;
  }

  String insertProducts() {
    return """
        insert into %s.products (product_id, name, category, price)
        select g.id,
          (array['Classic','Urban','Trail','Essential','Premium','Everyday','Studio','Coastal',
                 'Nordic','Vintage'])[1 + floor(%s * 10)::int] || ' ' ||
          (array['shoes','apparel','accessories','electronics','home','beauty','sports','books'])
            [1 + (g.id %% 8)::int] || ' ' || g.id,
          (array['shoes','apparel','accessories','electronics','home','beauty','sports','books'])
            [1 + (g.id %% 8)::int],
          %s
        from %s, generate_series(1, %d) g(id)
        """
        .formatted(
            s, rnd("g.id", 1), cents("exp(2.3 + " + rnd("g.id", 2) + " * 3.4)"), PARAMS, PRODUCTS);
  }

  String insertUsers() {
    return """
        insert into %1$s.users (user_id, email, first_name, last_name, phone, country, city,
          signup_at, birth_date, loyalty_member, loyalty_tier, marketing_opt_in)
        select id,
          lower(first_name || '.' || coalesce(last_name, 'user') || id || '@' || domain),
          first_name, last_name,
          case when r_phone < 0.25 then null
               else case country when 'US' then '+1' when 'CA' then '+1' when 'GB' then '+44'
                 when 'DE' then '+49' when 'FR' then '+33' when 'NL' then '+31' when 'ES' then '+34'
                 when 'IT' then '+39' when 'AU' then '+61' when 'SE' then '+46' when 'BR' then '+55'
                 else '+1' end || ' ' || lpad((%17$s %% 1000000000)::text, 9, '0') end,
          country,
          case when r_city < 0.03 or country is null then null
               else (case country
                 when 'US' then array['New York','Los Angeles','Chicago','Houston','Seattle','Austin','Boston','Denver']
                 when 'GB' then array['London','Manchester','Birmingham','Leeds','Glasgow','Bristol','Edinburgh','Liverpool']
                 when 'DE' then array['Berlin','Hamburg','Munich','Cologne','Frankfurt','Stuttgart','Leipzig','Dresden']
                 when 'FR' then array['Paris','Lyon','Marseille','Toulouse','Nice','Nantes','Bordeaux','Lille']
                 when 'CA' then array['Toronto','Montreal','Vancouver','Calgary','Ottawa','Edmonton','Winnipeg','Quebec City']
                 when 'NL' then array['Amsterdam','Rotterdam','Utrecht','The Hague','Eindhoven','Groningen','Tilburg','Almere']
                 when 'ES' then array['Madrid','Barcelona','Valencia','Seville','Bilbao','Malaga','Zaragoza','Murcia']
                 when 'IT' then array['Rome','Milan','Naples','Turin','Florence','Bologna','Genoa','Palermo']
                 when 'AU' then array['Sydney','Melbourne','Brisbane','Perth','Adelaide','Canberra','Hobart','Darwin']
                 when 'SE' then array['Stockholm','Gothenburg','Malmo','Uppsala','Vasteras','Orebro','Linkoping','Umea']
                 else array['Sao Paulo','Rio de Janeiro','Brasilia','Salvador','Fortaleza','Curitiba','Recife','Manaus']
               end)[1 + floor(r_city2 * 8)::int] end,
          signup_at,
          case when r_birth < 0.15 then null
               else (%18$s)::date end,
          loyalty_member,
          case when loyalty_member then
            case when r_tier < 0.5 then 'bronze' when r_tier < 0.8 then 'silver'
                 when r_tier < 0.95 then 'gold' else 'platinum' end end,
          r_opt < 0.65
        from (
          select id, seed, anchor, r_phone, r_city, r_city2, r_birth, r_birth2, r_tier, r_opt,
            (array['Emma','Liam','Olivia','Noah','Ava','Elijah','Sophia','Lucas','Mia','Mateo',
                   'Amelia','Leon','Hannah','Louis','Chloe','Jonas','Lena','Hugo','Alice','Felix',
                   'Sofia','Oscar','Clara','Arthur','Julia','Ben','Nora','Paul','Ella','Max',
                   'Zoe','Finn','Ida','Elias','Maya','Theo','Lea','Leo','Aria','Jack'])
              [1 + floor(r_first * 40)::int] as first_name,
            case when r_last < 0.01 then null else
            (array['Smith','Johnson','Garcia','Muller','Schmidt','Martin','Bernard','Rossi',
                   'Russo','Jansen','de Vries','Andersson','Johansson','Silva','Santos','Brown',
                   'Wilson','Taylor','Thomas','Moore','Lopez','Gonzalez','Fischer','Weber',
                   'Dubois','Moreau','Bianchi','Romano','Nguyen','Tanaka'])
              [1 + floor(r_last2 * 30)::int] end as last_name,
            (array['gmail.com','gmail.com','gmail.com','yahoo.com','outlook.com','hotmail.com',
                   'icloud.com','proton.me','gmx.de','orange.fr','web.de','live.com'])
              [1 + floor(r_domain * 12)::int] as domain,
            case when r_country < 0.30 then 'US' when r_country < 0.42 then 'GB'
                 when r_country < 0.53 then 'DE' when r_country < 0.62 then 'FR'
                 when r_country < 0.69 then 'CA' when r_country < 0.75 then 'NL'
                 when r_country < 0.81 then 'ES' when r_country < 0.86 then 'IT'
                 when r_country < 0.91 then 'AU' when r_country < 0.95 then 'SE'
                 when r_country < 0.98 then 'BR' else null end as country,
            %19$s as signup_at,
            r_loyal < 0.3 as loyalty_member
          from (
            select g.id, p.seed, p.anchor,
              %2$s as r_first, %3$s as r_last, %4$s as r_last2, %5$s as r_domain,
              %6$s as r_country, %7$s as r_signup, %8$s as r_phone, %9$s as r_city,
              %10$s as r_city2, %11$s as r_birth, %12$s as r_birth2, %13$s as r_loyal,
              %14$s as r_tier, %15$s as r_opt
            from %16$s, generate_series(p.lo, p.hi) g(id)
          ) r
        ) u
        """
        .formatted(
            s,
            rnd("g.id", 3),
            rnd("g.id", 4),
            rnd("g.id", 5),
            rnd("g.id", 6),
            rnd("g.id", 7),
            rnd("g.id", 8),
            rnd("g.id", 9),
            rnd("g.id", 10),
            rnd("g.id", 11),
            rnd("g.id", 12),
            rnd("g.id", 13),
            rnd("g.id", 14),
            rnd("g.id", 15),
            rnd("g.id", 16),
            PARAMS,
            hash31("id", "seed", 19),
            minusDays("anchor", "18 * 365 + floor(r_birth2 * 62 * 365)"),
            minusSeconds("anchor", "power(r_signup, 1.6) * 94608000"));
  }

  /**
   * 30% of users never buy; buyers follow a Pareto-like tail (a few heavy buyers, many light ones,
   * at most 200 each); times lean towards the anchor (recency).
   */
  String insertPurchases() {
    return """
        insert into %1$s.purchases (purchase_id, user_id, product_id, quantity, amount, currency,
          status, purchased_at)
        select x.purchase_id, x.user_id, pr.product_id, x.quantity,
          round(pr.price * x.quantity, 2), x.currency, x.status, x.purchased_at
        from (
          select u.user_id * 1000 + i as purchase_id, u.user_id,
            1 + floor(power(%2$s, 2) * %3$d)::int as product_id,
            case when %4$s < 0.8 then 1 when %4$s < 0.95 then 2 else 3 end as quantity,
            case u.country when 'US' then 'USD' when 'GB' then 'GBP' when 'CA' then 'CAD'
              when 'AU' then 'AUD' when 'SE' then 'SEK' when 'BR' then 'BRL'
              when 'DE' then 'EUR' when 'FR' then 'EUR' when 'NL' then 'EUR'
              when 'ES' then 'EUR' when 'IT' then 'EUR' else 'USD' end as currency,
            case when %5$s < 0.85 then 'paid' when %5$s < 0.90 then 'refunded'
                 when %5$s < 0.95 then 'pending' else 'cancelled' end as status,
            %10$s as purchased_at
          from %11$s
        ) x
        join %1$s.products pr on pr.product_id = x.product_id
        """
        .formatted(
            s,
            rnd("u.user_id * 1000 + i", 21),
            PRODUCTS,
            rnd("u.user_id * 1000 + i", 22),
            rnd("u.user_id * 1000 + i", 23),
            rnd("u.user_id * 1000 + i", 24),
            PARAMS,
            rnd("u.user_id", 30),
            rnd("u.user_id", 31),
            between(
                "u.signup_at", "p.anchor", "1 - power(" + rnd("u.user_id * 1000 + i", 24) + ", 2)"),
            fanOut(
                usersInRange(),
                "p, u",
                "case when "
                    + rnd("u.user_id", 30)
                    + " < 0.3 then 0 else least(200, floor(2 * power(1 - "
                    + rnd("u.user_id", 31)
                    + ", -0.6)))::int end",
                "i"));
  }

  /** Behavioural events (not orders): 10% of users are inactive, the rest follow a long tail. */
  String insertEvents() {
    return """
        insert into %1$s.events (event_id, user_id, event_type, occurred_at, properties)
        select event_id, user_id, event_type, occurred_at,
          case event_type
            when 'page_view' then %10$s(
              'path', case when r1 < 0.3 then '/' when r1 < 0.7 then '/products/' || (1 + floor(r2 * %2$d)::int)
                           when r1 < 0.9 then '/category/' || (array['shoes','apparel','accessories','electronics','home','beauty','sports','books'])[1 + floor(r2 * 8)::int]
                           else '/cart' end,
              'referrer', case when r2 < 0.35 then 'google' when r2 < 0.55 then 'direct'
                               when r2 < 0.7 then 'email' when r2 < 0.85 then 'instagram' else null end)
            when 'add_to_cart' then %10$s(
              'product_id', 1 + floor(power(r1, 2) * %2$d)::int, 'quantity', 1 + floor(r2 * 2)::int)
            when 'checkout_started' then %10$s(
              'cart_value', %11$s, 'items', 1 + floor(r2 * 4)::int)
            when 'app_open' then %10$s(
              'platform', case when r1 < 0.55 then 'ios' else 'android' end,
              'app_version', '5.' || floor(r2 * 4)::int || '.' || floor(r1 * 10)::int)
            else %10$s(
              'campaign', (array['welcome_series','spring_sale','summer_sale','black_friday',
                                 'winback','newsletter','loyalty_update'])[1 + floor(r1 * 7)::int],
              'subject_line_variant', case when r2 < 0.5 then 'A' else 'B' end)
          end
        from (
          select u.user_id * 1000 + i as event_id, u.user_id,
            case when %3$s < 0.50 then 'page_view' when %3$s < 0.67 then 'app_open'
                 when %3$s < 0.79 then 'add_to_cart' when %3$s < 0.91 then 'email_opened'
                 when %3$s < 0.95 then 'email_clicked' else 'checkout_started' end as event_type,
            %12$s as occurred_at,
            %5$s as r1, %6$s as r2
          from %13$s
        ) e
        """
        .formatted(
            s,
            PRODUCTS,
            rnd("u.user_id * 1000 + i", 41),
            rnd("u.user_id * 1000 + i", 42),
            rnd("u.user_id * 1000 + i", 43),
            rnd("u.user_id * 1000 + i", 44),
            PARAMS,
            rnd("u.user_id", 45),
            rnd("u.user_id", 46),
            jsonObject(),
            cents("exp(2.5 + r1 * 3.5)"),
            between(
                "u.signup_at", "p.anchor", "1 - power(" + rnd("u.user_id * 1000 + i", 42) + ", 3)"),
            fanOut(
                usersInRange(),
                "p, u",
                "case when "
                    + rnd("u.user_id", 45)
                    + " < 0.1 then 0 else least(300, floor(4 * power(1 - "
                    + rnd("u.user_id", 46)
                    + ", -0.5)))::int end",
                "i"));
  }

  /** One order_completed event per completed (paid or later refunded) purchase. */
  String insertOrderEvents() {
    return """
        insert into %1$s.events (event_id, user_id, event_type, occurred_at, properties)
        select pu.purchase_id + 500, pu.user_id, 'order_completed', pu.purchased_at,
          %3$s('order_id', pu.purchase_id, 'amount', pu.amount,
                             'currency', pu.currency, 'product_id', pu.product_id)
        from %2$s
        join %1$s.purchases pu on pu.user_id between p.lo and p.hi
        where pu.status in ('paid', 'refunded')
        """
        .formatted(s, PARAMS, jsonObject());
  }

  /**
   * OneTrust-shaped receipts: per subject (email) and purpose, zero to three receipts over time;
   * the latest one is the subject's current status.
   */
  String insertConsent() {
    return """
        insert into %1$s.consent (receipt_id, data_subject_identifier, purpose, status,
          collection_point, updated_at)
        select u.user_id * 100 + pp.idx * 10 + k, u.email, pp.purpose,
          case when k < c.n then case when %2$s < 0.6 then 'PENDING' else 'ACTIVE' end
               when %3$s < case when pp.purpose = 'email_marketing' and not u.marketing_opt_in
                                then 0.2 else 0.6 end then 'ACTIVE'
               when %4$s < 0.30 then 'OPT_OUT' when %4$s < 0.45 then 'WITHDRAWN'
               when %4$s < 0.70 then 'NO_CONSENT' when %4$s < 0.88 then 'PENDING'
               else 'EXPIRED' end,
          (array['signup_form','checkout','preference_center','mobile_app','cookie_banner'])
            [1 + floor(%5$s * 5)::int],
          %10$s
        from %11$s
        """
        .formatted(
            s,
            rnd("u.user_id * 100 + pp.idx * 10 + k", 51),
            rnd("u.user_id * 100 + pp.idx * 10 + k", 52),
            rnd("u.user_id * 100 + pp.idx * 10 + k", 53),
            rnd("u.user_id * 100 + pp.idx * 10 + k", 54),
            rnd("u.user_id * 100 + pp.idx * 10 + k", 55),
            PARAMS,
            rnd("u.user_id * 10 + pp.idx", 56),
            rnd("u.user_id * 10 + pp.idx", 57),
            between(
                "u.signup_at",
                "p.anchor",
                "(k - 1 + " + rnd("u.user_id * 100 + pp.idx * 10 + k", 55) + ") / c.n"),
            consentFanOut());
  }

  /**
   * Zero to three receipts per (user, purpose): n in c.n, the receipt's number in k. On DuckDB c is
   * a struct column of the fan-out (see {@link #fanOut}).
   */
  private String consentFanOut() {
    String purposes =
        usersInRange()
            + "\n cross join (values (1, 'email_marketing'), (2, 'advertising'), (3, 'analytics'))"
            + " pp(idx, purpose)";
    String n =
        "case when "
            + rnd("u.user_id * 10 + pp.idx", 56)
            + " < 0.15 then 0 else 1 + floor(power("
            + rnd("u.user_id * 10 + pp.idx", 57)
            + ", 2) * 3)::int end";
    return duckDb
        ? fanOut(purposes, "p, u, pp, {'n': " + n + "} as c", n, "k")
        : fanOut(purposes + "\n cross join lateral (select " + n + " as n) c", "", "c.n", "k");
  }

  /** The parameters p joined with the users u of the range. */
  private String usersInRange() {
    return PARAMS + "\n join " + s + ".users u on u.user_id between p.lo and p.hi";
  }

  /**
   * {@code from} with each row repeated {@code count} times, numbered 1..count in {@code index}. On
   * PostgreSQL a lateral generate_series; on DuckDB, where a lateral table function runs about 20
   * times slower than an unnest, a subquery that unnests the series beside {@code columns} (the
   * aliases of {@code from}, selected as struct columns, so that {@code u.user_id} still reads).
   */
  private String fanOut(String from, String columns, String count, String index) {
    return duckDb
        ? "(select "
            + columns
            + ", unnest(generate_series(1, "
            + count
            + ")) as "
            + index
            + "\n from "
            + from
            + ") fan"
        : from
            + "\n cross join lateral generate_series(1, "
            + count
            + ") "
            + index
            + "("
            + index
            + ")";
  }

  /** Keys and indexes, built after the load (one statement per table, run in parallel). */
  List<String> indexes() {
    if (duckDb) {
      // DuckDB keeps min/max zone maps per row group; the rows are written in user_id order
      return List.of();
    }
    return List.of(
        "alter table "
            + s
            + ".users add primary key (user_id); "
            + "create index on "
            + s
            + ".users (email)",
        "alter table " + s + ".products add primary key (product_id)",
        "alter table "
            + s
            + ".purchases add primary key (purchase_id); "
            + "create index on "
            + s
            + ".purchases (user_id)",
        "alter table "
            + s
            + ".events add primary key (event_id); "
            + "create index on "
            + s
            + ".events (user_id, occurred_at)",
        "alter table "
            + s
            + ".consent add primary key (receipt_id); "
            + "create index on "
            + s
            + ".consent (data_subject_identifier, purpose, updated_at)");
  }

  List<String> finish() {
    List<String> statements = new java.util.ArrayList<>();
    statements.add(
        """
        create view %1$s.consent_latest as
        select distinct on (data_subject_identifier, purpose) *
        from %1$s.consent order by data_subject_identifier, purpose, updated_at desc, receipt_id desc"""
            .formatted(s));
    if (duckDb) {
      return statements;
    }
    statements.addAll(
        List.of(
            "analyze " + s + ".users",
            "analyze " + s + ".products",
            "analyze " + s + ".purchases",
            "analyze " + s + ".events",
            "analyze " + s + ".consent"));
    return statements;
  }

  /** An order-independent digest of a table, for determinism checks. */
  String checksum(String table, String key) {
    return "select md5(string_agg(t::text, '|' order by t."
        + key
        + ")) from "
        + s
        + "."
        + table
        + " t";
  }

  String count(String table) {
    return "select count(*) from " + s + "." + table;
  }

  static final List<String> TABLES = List.of("users", "products", "purchases", "events", "consent");
}
