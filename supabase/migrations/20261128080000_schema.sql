-- Barb's production schema. It mirrors the embedded store (shared/store/sqlite.py, MIGRATIONS) table for table.
--
-- Isolation lives in the database: every user-scoped table has row-level security and the API forwards the
-- caller's JWT, so a bug in the application cannot read or write another user's rows. Policies call
-- (select auth.uid()) so Postgres evaluates the uid once per statement, not once per row.
-- Functions run as the caller (security invoker) with an empty search_path and qualified names.

-- ---------------------------------------------------------------------------------------------------------
-- Catalogue: public read, written only by the service role (the seed migration, operator tasks).
-- ---------------------------------------------------------------------------------------------------------
create table public.exchanges (
    id text primary key check (id = upper(id)),
    name text not null,
    timezone text not null,
    calendar text not null
);

create table public.instruments (
    symbol text primary key check (symbol = upper(symbol) and symbol <> ''),
    name text not null,
    exchange text not null references public.exchanges (id) on update cascade,
    type text not null default 'futures',
    category text not null check (category = lower(category)),
    currency text not null default 'USD',
    timezone text not null,
    default_session text not null,
    sessions jsonb not null check (jsonb_typeof(sessions) = 'object' and sessions ? default_session),
    tick_size double precision not null check (tick_size > 0),
    tick_value double precision not null check (tick_value > 0),
    point_value double precision not null check (point_value > 0),
    calendar text not null,
    events text[] not null default '{}',
    notes text,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index instruments_exchange on public.instruments (exchange);
create index instruments_category on public.instruments (category);

-- Runs with the caller's rights (security_invoker), so the tables' policies apply through the view too.
create view public.instrument_full with (security_invoker = true) as
select
    i.symbol, i.name, i.exchange, e.name as exchange_name, e.timezone as exchange_timezone, i.type,
    i.category, i.currency, i.timezone, i.default_session, i.sessions, i.tick_size, i.tick_value,
    i.point_value, i.calendar, i.events, i.notes
from public.instruments i
join public.exchanges e on e.id = i.exchange;

-- ---------------------------------------------------------------------------------------------------------
-- User data.
-- ---------------------------------------------------------------------------------------------------------
create table public.conversations (
    id uuid primary key default gen_random_uuid(),
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    -- Instruments are kept when their conversations exist (no delete action): history stays readable.
    instrument text not null references public.instruments (symbol) on update cascade
        check (instrument = upper(instrument)),
    title text not null default 'New chat' check (length(title) between 1 and 200),
    status text not null default 'active' check (status in ('active', 'removed')),
    -- Token counts summed over the conversation's answers; the cost has its own exact column.
    usage jsonb not null default '{}' check (jsonb_typeof(usage) = 'object'),
    cost_usd numeric(14, 6) not null default 0 check (cost_usd >= 0),
    summary text,
    summary_through uuid,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
-- The list endpoint: the caller's active conversations, newest activity first, keyset-paginated.
create index conversations_by_user on public.conversations (user_id, updated_at desc, id desc)
    where status = 'active';
create index conversations_instrument on public.conversations (instrument);

create table public.messages (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null references public.conversations (id) on delete cascade,
    -- Denormalised owner: policies test it without a join, the trigger checks it matches the conversation.
    user_id uuid not null default auth.uid(),
    role text not null check (role in ('user', 'assistant')),
    content text not null default '',
    data jsonb not null default '[]' check (jsonb_typeof(data) = 'array'),
    usage jsonb check (usage is null or jsonb_typeof(usage) = 'object'),
    cost_usd numeric(14, 6) check (cost_usd >= 0),
    status text not null default 'complete' check (status in ('complete', 'partial', 'error')),
    error text,
    -- Assigned by the insert trigger under the conversation's row lock: unique and gap-free per conversation.
    seq integer not null,
    created_at timestamptz not null default now(),
    unique (conversation_id, seq)
);

create table public.tool_calls (
    id uuid primary key default gen_random_uuid(),
    message_id uuid not null references public.messages (id) on delete cascade,
    user_id uuid not null default auth.uid(),
    tool_use_id text not null,
    tool_name text not null,
    title text,
    input jsonb not null,
    output_summary text,
    error text,
    duration_ms integer check (duration_ms >= 0),
    seq integer not null,
    created_at timestamptz not null default now(),
    unique (message_id, seq)
);

create table public.user_instruments (
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    -- Always the catalogue's spelling: the CHECK rejects "nq", the FK rejects unknown symbols.
    symbol text not null references public.instruments (symbol) on update cascade on delete cascade
        check (symbol = upper(symbol)),
    added_at timestamptz not null default now(),
    primary key (user_id, symbol)
);
create index user_instruments_symbol on public.user_instruments (symbol);

-- An answer in progress; any worker can set stop_requested and the worker streaming it polls the flag.
create table public.chat_runs (
    id uuid primary key default gen_random_uuid(),
    conversation_id uuid not null references public.conversations (id) on delete cascade,
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    stop_requested boolean not null default false,
    started_at timestamptz not null default now(),
    finished_at timestamptz
);
create index chat_runs_by_conversation on public.chat_runs (conversation_id) where finished_at is null;
create index chat_runs_conversation_fk on public.chat_runs (conversation_id);

-- ---------------------------------------------------------------------------------------------------------
-- Triggers.
-- ---------------------------------------------------------------------------------------------------------
create function public.set_updated_at() returns trigger
language plpgsql security invoker set search_path = '' as $$
begin
    new.updated_at := now();
    return new;
end $$;

create trigger conversations_updated_at before update on public.conversations
    for each row execute function public.set_updated_at();
create trigger instruments_updated_at before update on public.instruments
    for each row execute function public.set_updated_at();

-- A message may only join an active conversation of its author. Locking the conversation row serialises
-- concurrent inserts, so seq is unique without retries, and the conversation's activity time moves forward.
create function public.messages_before_insert() returns trigger
language plpgsql security invoker set search_path = '' as $$
begin
    perform 1 from public.conversations c
     where c.id = new.conversation_id and c.user_id = new.user_id and c.status = 'active'
       for update;
    if not found then
        raise exception using errcode = 'P0002', message = 'conversation not found';
    end if;
    select coalesce(max(m.seq), 0) + 1 into new.seq
      from public.messages m where m.conversation_id = new.conversation_id;
    update public.conversations set updated_at = now() where id = new.conversation_id;
    return new;
end $$;

create trigger messages_before_insert before insert on public.messages
    for each row execute function public.messages_before_insert();

-- ---------------------------------------------------------------------------------------------------------
-- Saving an answer: the message, its tool calls and the conversation's usage in one transaction
-- (separate PostgREST calls would each commit on their own).
-- ---------------------------------------------------------------------------------------------------------
create function public.save_answer(p_conversation_id uuid, p_answer jsonb) returns jsonb
language plpgsql security invoker set search_path = '' as $$
declare
    msg public.messages;
    token_keys constant text[] := array['input_tokens', 'output_tokens', 'cache_read_tokens', 'cache_write_tokens'];
    answer_usage jsonb := coalesce(p_answer -> 'usage', '{}');
    calls jsonb;
begin
    insert into public.messages (conversation_id, role, content, data, usage, cost_usd, status, error)
    values (
        p_conversation_id, 'assistant', coalesce(p_answer ->> 'content', ''), coalesce(p_answer -> 'data', '[]'),
        answer_usage, coalesce((answer_usage ->> 'cost_usd')::numeric, 0), coalesce(p_answer ->> 'status', 'complete'),
        p_answer ->> 'error'
    )
    returning * into msg;

    insert into public.tool_calls
        (message_id, tool_use_id, tool_name, title, input, output_summary, error, duration_ms, seq)
    select msg.id, t.call ->> 'tool_use_id', t.call ->> 'tool_name', t.call ->> 'title', t.call -> 'input',
           t.call ->> 'output_summary', t.call ->> 'error', (t.call ->> 'duration_ms')::integer, t.n - 1
      from jsonb_array_elements(coalesce(p_answer -> 'tool_calls', '[]')) with ordinality as t (call, n);

    update public.conversations c
       set usage = (select jsonb_object_agg(k, coalesce((c.usage ->> k)::bigint, 0)
                                               + coalesce((answer_usage ->> k)::bigint, 0))
                      from unnest(token_keys) as k),
           cost_usd = c.cost_usd + msg.cost_usd
     where c.id = p_conversation_id;

    select coalesce(jsonb_agg(to_jsonb(tc) order by tc.seq), '[]') into calls
      from public.tool_calls tc where tc.message_id = msg.id;
    return to_jsonb(msg) || jsonb_build_object('tool_calls', calls);
end $$;

revoke execute on function public.save_answer(uuid, jsonb) from public, anon;
grant execute on function public.save_answer(uuid, jsonb) to authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------
-- Row-level security.
-- ---------------------------------------------------------------------------------------------------------
alter table public.exchanges enable row level security;
alter table public.instruments enable row level security;
alter table public.conversations enable row level security;
alter table public.messages enable row level security;
alter table public.tool_calls enable row level security;
alter table public.user_instruments enable row level security;
alter table public.chat_runs enable row level security;

-- Catalogue: anyone reads; only the service role (which bypasses RLS) writes. The grants are revoked too,
-- so a write by anon/authenticated fails loudly instead of silently matching no policy.
create policy exchanges_read on public.exchanges for select to anon, authenticated using (true);
create policy instruments_read on public.instruments for select to anon, authenticated using (true);
revoke insert, update, delete, truncate on public.exchanges, public.instruments from anon, authenticated;

-- Conversations: the owner sees their rows (removed ones too, so a soft delete can return the row; the API
-- filters status), changes only active ones, and can never hand a row to someone else.
create policy conversations_select on public.conversations for select to authenticated
    using ((select auth.uid()) = user_id);
create policy conversations_insert on public.conversations for insert to authenticated
    with check ((select auth.uid()) = user_id and status = 'active');
create policy conversations_update on public.conversations for update to authenticated
    using ((select auth.uid()) = user_id and status = 'active')
    with check ((select auth.uid()) = user_id);
create policy conversations_delete on public.conversations for delete to authenticated
    using ((select auth.uid()) = user_id);

-- Messages and tool calls: visible and writable only inside the owner's active conversations.
-- History is append-only: there is no update or delete policy (rows go with their conversation).
create policy messages_select on public.messages for select to authenticated
    using (
        (select auth.uid()) = user_id
        and exists (select 1 from public.conversations c where c.id = conversation_id and c.status = 'active')
    );
create policy messages_insert on public.messages for insert to authenticated
    with check (
        (select auth.uid()) = user_id
        and exists (select 1 from public.conversations c where c.id = conversation_id and c.status = 'active')
    );

create policy tool_calls_select on public.tool_calls for select to authenticated
    using (
        (select auth.uid()) = user_id
        and exists (select 1 from public.messages m where m.id = message_id)
    );
create policy tool_calls_insert on public.tool_calls for insert to authenticated
    with check (
        (select auth.uid()) = user_id
        and exists (select 1 from public.messages m where m.id = message_id)
    );

create policy user_instruments_select on public.user_instruments for select to authenticated
    using ((select auth.uid()) = user_id);
create policy user_instruments_insert on public.user_instruments for insert to authenticated
    with check ((select auth.uid()) = user_id);
create policy user_instruments_delete on public.user_instruments for delete to authenticated
    using ((select auth.uid()) = user_id);

create policy chat_runs_select on public.chat_runs for select to authenticated
    using ((select auth.uid()) = user_id);
create policy chat_runs_insert on public.chat_runs for insert to authenticated
    with check (
        (select auth.uid()) = user_id
        and exists (select 1 from public.conversations c where c.id = conversation_id and c.status = 'active')
    );
create policy chat_runs_update on public.chat_runs for update to authenticated
    using ((select auth.uid()) = user_id)
    with check ((select auth.uid()) = user_id);

-- PostgREST caches the schema: make it see the new tables and the save_answer function at once.
notify pgrst, 'reload schema';
