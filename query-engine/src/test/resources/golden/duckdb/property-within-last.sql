select "t0"."user_id" from "shop"."users" "t0" where ("t0"."signup_at" between cast(? as timestamp with time zone) and cast(? as timestamp with time zone) and "t0"."signup_at" is not null)
