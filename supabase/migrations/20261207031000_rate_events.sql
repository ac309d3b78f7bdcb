-- Rate limits shared by every worker and Lambda instance: one row per counted request, kept for a minute.
-- take_rate counts the caller's events of a bucket in the last p_window_s seconds: below p_per_minute it
-- records one and returns null, else it returns the seconds until one would be allowed. An advisory lock per
-- user and bucket makes concurrent requests count one after the other.
create table public.rate_events (
    user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
    bucket text not null check (length(bucket) between 1 and 40),
    at timestamptz not null default clock_timestamp()
);
create index rate_events_by_key on public.rate_events (user_id, bucket, at);
alter table public.rate_events enable row level security;
create policy rate_events_select on public.rate_events for select to authenticated
    using ((select auth.uid()) = user_id);
create policy rate_events_insert on public.rate_events for insert to authenticated
    with check ((select auth.uid()) = user_id);
create policy rate_events_delete on public.rate_events for delete to authenticated
    using ((select auth.uid()) = user_id);

create function public.take_rate(p_bucket text, p_per_minute integer, p_window_s double precision default 60)
returns double precision
language plpgsql security invoker set search_path = '' as $$
declare
    window_start timestamptz := clock_timestamp() - make_interval(secs => p_window_s);
    counted integer;
    oldest timestamptz;
begin
    perform pg_advisory_xact_lock(hashtextextended((select auth.uid())::text || ':' || p_bucket, 0));
    delete from public.rate_events
     where user_id = (select auth.uid()) and bucket = p_bucket and at <= window_start;
    select count(*), min(at) into counted, oldest
      from public.rate_events where user_id = (select auth.uid()) and bucket = p_bucket;
    if counted >= p_per_minute then
        return p_window_s - extract(epoch from clock_timestamp() - oldest);
    end if;
    insert into public.rate_events (bucket) values (p_bucket);
    return null;
end $$;
revoke execute on function public.take_rate(text, integer, double precision) from public, anon;
grant execute on function public.take_rate(text, integer, double precision) to authenticated, service_role;

notify pgrst, 'reload schema';
